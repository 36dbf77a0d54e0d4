// Questions about the last packet's walk: answers come from the walk, comparisons are lenient,
// wrong answers are explained from the walk (src/teach/questions.ts).
import { describe, expect, test } from "vitest";
import { articleSession, rulesSession, run } from "../helpers/session.js";
import { ask, QUESTION_KINDS } from "../../src/teach/questions.js";
import { CommandError } from "../../src/lang/words.js";

const CURL = "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898";
const SVC = "KUBE-SVC-Y4T5L63IYP3YFEBS";

function sepChains(s: ReturnType<typeof articleSession>): string[] {
  const rules = s.engine.ruleset.tables.get("nat")!.chains.get(SVC)!.rules;
  return rules.flatMap((r) => (r.target?.kind === "jump" && r.target.chain.startsWith("KUBE-SEP-") ? [r.target.chain] : []));
}

describe("sep", () => {
  test("the answer is the KUBE-SEP chain whose DNAT rule rewrote the packet, and both endpoints occur over seeds", () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const s = articleSession(seed);
      run(s, CURL);
      const a = ask("sep", s);
      const dnat = s.sent[0]!.result.events.find((e) => e.kind === "nat" && e.manip === "DST");
      expect(dnat?.kind === "nat" && dnat.rule?.chain).toBe(a.expected);
      expect(sepChains(s)).toContain(a.expected);
      seen.add(a.expected);
    }
    expect(seen.size).toBe(2);
  });

  test("case and spaces do not matter; the other endpoint is wrong and explained with its rule and draw", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const s = articleSession(seed);
      run(s, CURL);
      const a = ask("sep", s);
      expect(a.accepts(`  ${a.expected.toLowerCase()} `)).toBe(true);
      const other = sepChains(s).find((c) => c !== a.expected)!;
      expect(a.accepts(other)).toBe(false);
      const why = a.explain(other);
      expect(why).toContain(a.expected);
      if (other === sepChains(s)[0]) {
        // the first endpoint's rule was tested and missed: its draw was not below 0.5
        expect(why).toMatch(new RegExp(`${other} is rule #2's target in ${SVC}; rule #2 missed \\(random draw 0\\.\\d{4} ≥ 0\\.50000000000\\)`));
      } else {
        expect(why).toContain(`${other} is rule #3's target in ${SVC}, but rule #3 was never tested`);
      }
      expect(a.explain(a.expected)).toMatch(/^right/);
      expect(a.explain("KUBE-SEP-NOPE")).toContain(`is not one of ${SVC}'s endpoint chains`);
    }
  });
});

test("svc accepts the chain or the Service's namespace/name", () => {
  const s = articleSession();
  run(s, CURL);
  const a = ask("svc", s);
  expect(a.expected).toBe(SVC);
  expect(a.accepts("podinfo/frontend-podinfo")).toBe(true);
  expect(a.accepts("podinfo/other")).toBe(false);
});

test("dnat accepts IP or IP:PORT, but a wrong port is wrong", () => {
  const s = articleSession(2);
  run(s, CURL);
  const a = ask("dnat", s);
  const [ip, port] = a.expected.split(":");
  expect(a.accepts(ip!)).toBe(true);
  expect(a.accepts(`${ip}:${port}`)).toBe(true);
  expect(a.accepts(`${ip}:${Number(port) + 1}`)).toBe(false);
  expect(a.solution).toContain("-j DNAT --to-destination " + a.expected);
});

test("mark: 0x4000, 0x00004000 and 16384 are the same answer; the KUBE-MARK-MASQ rule is named", () => {
  const s = articleSession();
  run(s, CURL);
  const a = ask("mark", s);
  expect(a.expected).toBe("0x4000");
  for (const x of ["0x4000", "0x00004000", "16384", " 0X4000 "]) expect(a.accepts(x)).toBe(true);
  expect(a.accepts("none")).toBe(false);
  expect(a.explain("0x0")).toContain("nat KUBE-MARK-MASQ #1: mark 0x0 → 0x4000");
  // from inside the cluster CIDR there is no masquerade mark
  const p = articleSession();
  run(p, "send tcp 10.42.135.131:40000 -> 10.43.156.98:9898 in cali5c2e8d1a0b7");
  const b = ask("mark", p);
  expect(b.accepts("none")).toBe(b.expected === "0x0");
});

test("out-interface, pod-source and fate follow the walk's fate", () => {
  const s = articleSession();
  run(s, CURL);
  const fate = s.sent[0]!.result.fate;
  expect(fate.kind).toBe("sent");
  expect(ask("out-interface", s).expected).toBe(fate.kind === "sent" ? fate.iface : "");
  expect(ask("out-interface", s).accepts("VXLAN.CALICO")).toBe(fate.kind === "sent" && fate.iface === "vxlan.calico");
  // the explanation carries the walk's DNAT and routing decision, which decide the interface
  expect(ask("out-interface", s).explain("enp3s0")).toMatch(/DNAT: destination 10\.43\.156\.98:9898 → 10\.42\.\d+\.\d+:9898[\s\S]*ip route get 10\.42\.\d+\.\d+ .*dev vxlan\.calico/);
  const src = ask("pod-source", s);
  expect(src.expected).not.toBe("192.168.1.88"); // masqueraded
  expect(src.solution).toContain("MASQUERADE");
  expect(src.accepts("192.168.1.88")).toBe(false);
  expect(ask("fate", s).accepts("forwarded")).toBe(true);
  expect(ask("fate", s).accepts("dropped")).toBe(false);
});

const DROPPING = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -p udp -j ACCEPT
-A FORWARD -d 10.42.54.194/32 -p tcp -m tcp --dport 9898 -j DROP
COMMIT
`;

test("drop names table, chain and rule number, in any of the usual spellings", () => {
  const s = rulesSession(DROPPING);
  run(s, "send tcp 10.42.135.131:40000 -> 10.42.54.194:9898 in cali5c2e8d1a0b7");
  const a = ask("drop", s);
  expect(a.expected).toBe("filter FORWARD #2");
  for (const x of ["filter FORWARD 2", "filter forward #2", "-t filter FORWARD rule 2", "  filter  FORWARD  # 2 "]) expect(a.accepts(x)).toBe(true);
  expect(a.accepts("filter FORWARD #1")).toBe(false);
  expect(a.explain("filter FORWARD 1")).toContain("filter FORWARD #1 did not match: -p udp");
  expect(a.explain("nat FORWARD 1")).toContain("there is no rule");
  expect(a.explain("nonsense")).toContain("TABLE CHAIN #N");
  expect(ask("fate", s).expected).toBe("dropped");
});

test("questions the walk cannot answer are CommandErrors", () => {
  const s = articleSession();
  expect(() => ask("sep", s)).toThrow(CommandError); // nothing sent
  run(s, CURL);
  expect(() => ask("drop", s)).toThrow(/no rule or policy drops it/);
  const d = rulesSession(DROPPING);
  run(d, "send tcp 10.42.135.131:40000 -> 10.42.54.194:9898 in cali5c2e8d1a0b7");
  for (const k of ["sep", "svc", "dnat", "out-interface", "pod-source"] as const) expect(() => ask(k, d)).toThrow(CommandError);
  expect(QUESTION_KINDS).toHaveLength(10);
});

describe("ctstate", () => {
  test("the state conntrack gives the packet where it enters, with what follows from an INVALID one", () => {
    const s = articleSession(71508);
    run(s, CURL);
    expect(ask("ctstate", s).expected).toBe("NEW");
    run(s, "reply");
    expect(ask("ctstate", s).expected).toBe("ESTABLISHED");
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 flags ACK", "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 flags ACK,PSH payload 10 seq +400000");
    const q = ask("ctstate", s);
    expect(q.expected).toBe("INVALID");
    expect(q.accepts(" invalid ")).toBe(true);
    expect(q.accepts("ESTABLISHED")).toBe(false);
    const why = q.explain("ESTABLISHED");
    expect(why).toMatch(/OUTPUT conntrack: INVALID \(no entry\) — seq \d+ is above the window's end \d+/);
    expect(why).toMatch(/no NAT from the connection is applied to it/);
    expect(q.explain("sleepy")).toMatch(/answer with one of NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED/);
  });
  test("a ruleset that never uses conntrack cannot be asked", () => {
    const s = rulesSession("*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -j ACCEPT\nCOMMIT\n");
    run(s, CURL);
    expect(() => ask("ctstate", s)).toThrow(/conntrack never saw it/);
  });
});
