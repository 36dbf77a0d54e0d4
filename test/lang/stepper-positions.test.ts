// The stepper's positions as data: the article's SYN on the canned node (seed 71508), driven by
// the REPL's own commands (step, next, finish, back, break, continue) and read back through
// Stepper.position() — hook, table, chain, rule index, jump stack, packet, out-device and
// conntrack state at chosen stops — instead of through rendered text.
import { describe, expect, it } from "vitest";
import { articleSession, run } from "../helpers/session.js";
import type { Session } from "../../src/lang/session.js";
import type { Position } from "../../src/lang/stepper.js";
import { formatIp } from "../../src/engine/model/ipv4.js";

const SVC = "KUBE-SVC-Y4T5L63IYP3YFEBS";
const SEP = "KUBE-SEP-OYNVDBAPYJ623W6H";

function stepping(): Session {
  const s = articleSession(71508);
  s.stepByStep = true;
  run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
  return s;
}

const pos = (s: Session): Position => s.stepper!.position();
/** The fields a learner reads in `where` and `show state`, as plain data. */
const at = (p: Position) => ({
  hook: p.hook,
  table: p.table,
  chain: p.chain,
  ruleIndex: p.ruleIndex,
  stack: p.stack,
  src: `${formatIp(p.pkt.src)}:${p.pkt.sport}`,
  dst: `${formatIp(p.pkt.dst)}:${p.pkt.dport}`,
  mark: p.pkt.mark,
  outIf: p.outIf,
  ct: p.ct?.state,
});

/** Steps one stop at a time until `pred` holds; fails the test when the walk ends first. */
function stepUntil(s: Session, pred: (p: Position) => boolean): Position {
  while (!pred(pos(s))) {
    if (s.stepper!.done) throw new Error("the walk ended before the stop was reached");
    run(s, "step");
  }
  return pos(s);
}

const kind = (p: Position) => p.event?.kind;
const ruleText = (p: Position) => (p.event && (p.event.kind === "rule" || p.event.kind === "nomatch") ? p.event.rule.text : undefined);

describe("stepper positions (article SYN, seed 71508)", () => {
  it("every stop: the stack ends in the event's chain at its depth, rule numbers point at the rule, hooks only move forward", () => {
    const s = stepping();
    const st = s.stepper!;
    const table = (t: string, c: string) => s.engine.ruleset.tables.get(t as "nat")!.chains.get(c)!;
    const hooks: string[] = [];
    const dsts = new Set<string>();
    const srcs = new Set<string>();
    let seenConntrack = false;
    for (let i = 0; i < st.stops.length; i++) {
      if (i > 0) run(s, "step");
      const p = pos(s);
      expect(p.event).toBe(st.events[st.stops[i]!]);
      const e = p.event!;
      if ("chain" in e && "depth" in e) {
        expect(p.stack).toHaveLength(e.depth + 1);
        expect(p.stack[p.stack.length - 1]).toBe(e.chain);
        expect(p.stack[0]).toBe(e.hook); // the base chain is named for its hook
        expect([p.hook, p.table, p.chain]).toEqual([e.hook, e.table, e.chain]);
      } else expect(p.stack).toEqual([]);
      if (e.kind === "rule" || e.kind === "nomatch") expect(table(e.table, e.chain).rules[p.ruleIndex! - 1]!.handle).toBe(e.rule.handle);
      else expect(p.ruleIndex).toBeUndefined();
      if (p.hook && hooks[hooks.length - 1] !== p.hook) hooks.push(p.hook);
      if (e.kind === "conntrack") seenConntrack = true;
      expect(p.ct?.state).toBe(seenConntrack ? "NEW" : undefined);
      dsts.add(formatIp(p.pkt.dst));
      srcs.add(formatIp(p.pkt.src));
    }
    expect(hooks).toEqual(["OUTPUT", "POSTROUTING"]);
    // the destination changes once (DNAT), the source once (MASQUERADE)
    expect([...dsts]).toEqual(["10.43.156.98", "10.42.54.194"]);
    expect([...srcs]).toEqual(["192.168.1.88", "10.42.135.130"]);
  });

  it("stepping back one stop at a time retraces every position exactly", () => {
    const s = stepping();
    const st = s.stepper!;
    const forward: Position[] = [pos(s)];
    while (!st.done) {
      run(s, "step");
      forward.push(pos(s));
    }
    for (let i = forward.length - 2; i >= 0; i--) {
      run(s, "back");
      expect(pos(s)).toEqual(forward[i]);
    }
  });

  it("starts at the output routing decision: no hook, no chain, the packet as sent, not yet tracked", () => {
    const s = stepping();
    const p = pos(s);
    expect(s.stepper!.pos).toBe(0);
    expect(p.event?.kind === "route" && p.event.why).toBe("output");
    expect(at(p)).toEqual({ hook: undefined, table: undefined, chain: undefined, ruleIndex: undefined, stack: [], src: "192.168.1.88:49058", dst: "10.43.156.98:9898", mark: 0, outIf: "enp3s0", ct: undefined });
  });

  it("a chain breakpoint on KUBE-SERVICES lands on its first rule in nat OUTPUT, the connection NEW", () => {
    const s = stepping();
    run(s, "break chain KUBE-SERVICES");
    run(s, "continue");
    const p = pos(s);
    // filter OUTPUT has a KUBE-SERVICES too, but nat runs first
    expect(at(p)).toEqual({ hook: "OUTPUT", table: "nat", chain: "KUBE-SERVICES", ruleIndex: 1, stack: ["OUTPUT", "KUBE-SERVICES"], src: "192.168.1.88:49058", dst: "10.43.156.98:9898", mark: 0, outIf: "enp3s0", ct: "NEW" });
    expect(kind(p)).toBe("nomatch");
    expect(p.event?.kind === "nomatch" && p.event.fail.clause).toBe("-d 10.43.0.1/32");
  });

  it("the KUBE-MARK-MASQ jump: depth 3 at the jump, 4 inside, the mark set there and kept on return", () => {
    const s = stepping();
    const jump = stepUntil(s, (p) => p.event?.kind === "rule" && p.event.verdict.kind === "JUMP" && p.event.verdict.chain === "KUBE-MARK-MASQ");
    expect(at(jump)).toMatchObject({ hook: "OUTPUT", table: "nat", chain: SVC, ruleIndex: 1, stack: ["OUTPUT", "KUBE-SERVICES", SVC], mark: 0 });
    run(s, "step");
    const inside = pos(s);
    expect(at(inside)).toMatchObject({ chain: "KUBE-MARK-MASQ", ruleIndex: 1, stack: ["OUTPUT", "KUBE-SERVICES", SVC, "KUBE-MARK-MASQ"], mark: 0x4000 });
    expect(inside.event?.kind === "rule" && inside.event.verdict.kind).toBe("CONTINUE");
    run(s, "step");
    expect(kind(pos(s))).toBe("return");
    expect(pos(s).stack).toEqual(["OUTPUT", "KUBE-SERVICES", SVC, "KUBE-MARK-MASQ"]);
    run(s, "step");
    // back in the service chain at its next rule, one level up, the mark still there
    expect(at(pos(s))).toMatchObject({ chain: SVC, ruleIndex: 2, stack: ["OUTPUT", "KUBE-SERVICES", SVC], mark: 0x4000 });
  });

  it("DNAT: the rule's own stop still shows the ClusterIP; the nat stop after it the pod, and conntrack's reply tuple agrees", () => {
    const s = stepping();
    const dnat = stepUntil(s, (p) => p.chain === SEP && p.event?.kind === "rule");
    expect(at(dnat)).toMatchObject({ hook: "OUTPUT", table: "nat", chain: SEP, ruleIndex: 2, stack: ["OUTPUT", "KUBE-SERVICES", SVC, SEP], dst: "10.43.156.98:9898", ct: "NEW" });
    expect(dnat.event?.kind === "rule" && dnat.event.verdict.kind).toBe("ACCEPT");
    run(s, "step");
    const nat = pos(s);
    expect(nat.event?.kind === "nat" && [nat.event.manip, nat.event.how]).toEqual(["DST", "rule"]);
    expect(at(nat)).toMatchObject({ hook: "OUTPUT", table: undefined, chain: undefined, stack: [], src: "192.168.1.88:49058", dst: "10.42.54.194:9898", mark: 0x4000 });
    const reply = nat.ct?.entry?.reply;
    expect(reply && [formatIp(reply.src), reply.sport]).toEqual(["10.42.54.194", 9898]);
  });

  it("the reroute after DNAT picks vxlan.calico; filter OUTPUT still sees the hook's original device", () => {
    const s = stepping();
    const rr = stepUntil(s, (p) => p.event?.kind === "route" && p.event.why === "reroute");
    expect(rr.event?.kind === "route" && [rr.event.result.dev, rr.event.result.via && formatIp(rr.event.result.via)]).toEqual(["vxlan.calico", "10.42.54.193"]);
    expect(at(rr)).toMatchObject({ hook: undefined, stack: [], dst: "10.42.54.194:9898", outIf: "vxlan.calico" });
    run(s, "step");
    // Linux: __ip_local_out passes skb_dst(skb)->dev to the LOCAL_OUT hook before any reroute
    expect(at(pos(s))).toMatchObject({ hook: "OUTPUT", table: "filter", chain: "OUTPUT", ruleIndex: 1, stack: ["OUTPUT"], outIf: "enp3s0" });
  });

  it("POSTROUTING MASQUERADE: Calico's rule #3 accepts, then the source becomes vxlan.calico's address at the port conntrack bound", () => {
    const s = stepping();
    const masq = stepUntil(s, (p) => p.event?.kind === "rule" && p.event.rule.target?.kind === "ext" && p.event.rule.target.module.name === "MASQUERADE");
    expect(at(masq)).toMatchObject({ hook: "POSTROUTING", table: "nat", chain: "cali-POSTROUTING", ruleIndex: 3, stack: ["POSTROUTING", "cali-POSTROUTING"], src: "192.168.1.88:49058", outIf: "vxlan.calico" });
    expect(ruleText(masq)).toContain("-j MASQUERADE --random-fully");
    run(s, "step");
    const nat = pos(s);
    expect(nat.event?.kind === "nat" && nat.event.manip).toBe("SRC");
    expect(formatIp(nat.pkt.src)).toBe("10.42.135.130");
    const reply = nat.ct!.entry!.reply;
    expect([formatIp(reply.dst), reply.dport]).toEqual(["10.42.135.130", nat.pkt.sport]);
    expect(nat.pkt.dport).toBe(9898);
  });

  it("the fate: sent on vxlan.calico, no hook or stack, the packet as it leaves, the entry confirmed", () => {
    const s = stepping();
    run(s, "continue");
    const p = pos(s);
    expect(s.stepper!.done).toBe(true);
    expect(p.event?.kind === "fate" && p.event.fate).toMatchObject({ kind: "sent", iface: "vxlan.calico" });
    expect(at(p)).toMatchObject({ hook: undefined, table: undefined, chain: undefined, stack: [], dst: "10.42.54.194:9898", mark: 0x4000, outIf: "vxlan.calico", ct: "NEW" });
    expect(formatIp(p.pkt.src)).toBe("10.42.135.130");
    expect(p.pkt).toEqual(s.sent[0]!.result.pkt);
  });

  it("back returns the exact earlier position, packet and conntrack included", () => {
    const s = stepping();
    run(s, "step 22");
    const before = pos(s);
    run(s, "step 9"); // past DNAT and the reroute
    expect(pos(s).pkt.dst).not.toBe(before.pkt.dst);
    run(s, "back 9");
    expect(pos(s)).toEqual(before);
    run(s, "back 100");
    // before the first stop: nothing walked yet
    expect(s.stepper!.pos).toBe(-1);
    expect(at(pos(s))).toEqual({ hook: undefined, table: undefined, chain: undefined, ruleIndex: undefined, stack: [], src: "192.168.1.88:49058", dst: "10.43.156.98:9898", mark: 0, outIf: undefined, ct: undefined });
  });

  it("next leaves the chain: from KUBE-SERVICES' first rule to the service chain's first", () => {
    const s = stepping();
    stepUntil(s, (p) => p.table === "nat" && p.chain === "KUBE-SERVICES");
    run(s, "next");
    expect(at(pos(s))).toMatchObject({ hook: "OUTPUT", table: "nat", chain: SVC, ruleIndex: 1, stack: ["OUTPUT", "KUBE-SERVICES", SVC] });
    run(s, "next");
    expect(at(pos(s))).toMatchObject({ chain: "KUBE-MARK-MASQ", stack: ["OUTPUT", "KUBE-SERVICES", SVC, "KUBE-MARK-MASQ"] });
  });

  it("finish lands on the last stop of the hook: filter OUTPUT's policy, before POSTROUTING", () => {
    const s = stepping();
    run(s, "step 3");
    expect(pos(s).hook).toBe("OUTPUT");
    run(s, "finish");
    const p = pos(s);
    expect(p.event?.kind === "policy" && p.event.policy).toBe("ACCEPT");
    expect(at(p)).toMatchObject({ hook: "OUTPUT", table: "filter", chain: "OUTPUT", stack: ["OUTPUT"], dst: "10.42.54.194:9898" });
    run(s, "step");
    expect(pos(s).hook).toBe("POSTROUTING");
  });

  it("a rule breakpoint by table, chain and number stops exactly there", () => {
    const s = stepping();
    run(s, `break rule nat ${SEP} 2`);
    run(s, "continue");
    expect(at(pos(s))).toMatchObject({ table: "nat", chain: SEP, ruleIndex: 2 });
    run(s, "continue");
    expect(s.stepper!.done).toBe(true);
  });
});

describe("a packet delivered to the node has no output interface", () => {
  it("the reply of the article's curl: after the input routing decision, out is gone, as the kernel's INPUT trace has no oif", () => {
    const s = articleSession();
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "reply");
    const p = s.stepper!.position();
    expect(s.stepper!.done).toBe(true);
    expect(p.outIf).toBeUndefined();
    expect(p.delivered).toBe(true);
    const state = run(s, "show state");
    expect(state).toContain("in: vxlan.calico  out: (none: for the node itself)");
    expect(state).not.toContain("Output interface");
  });

  it("a packet that cannot be routed is not 'for the node itself'", () => {
    const s = articleSession();
    run(s, "send udp 192.168.1.20:4000 -> 239.1.2.3:5000 in enp3s0");
    const p = s.stepper!.position();
    expect(p.delivered).toBeUndefined();
    expect(p.outIf).toBeUndefined();
    expect(run(s, "show state")).toContain("out: (none)");
  });

  it("show state at a routing decision says so, as the status line does", () => {
    const s = articleSession();
    s.stepByStep = true;
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    // the first stop of a locally generated packet is its output routing decision
    expect(run(s, "show state").split("\n")[0]).toBe("where: routing decision (output)");
    expect(run(s, "where").split("\n")[0]).toMatch(/^routing decision \(output\) \| /);
  });

  it("a forwarded packet keeps the interface its route names", () => {
    const s = articleSession();
    run(s, "send tcp 192.168.1.20:40000 -> 10.42.54.194:9898 in enp3s0");
    const p = s.stepper!.position();
    expect(p.delivered).toBeUndefined();
    expect(p.outIf).toBe("vxlan.calico");
  });
});
