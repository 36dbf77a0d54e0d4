// Stepping through the article's packet with commands only (no rendering): step, next, finish,
// continue with breakpoints, back, where, show state at the cursor.
import { describe, expect, it } from "vitest";
import { articleSession, run } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";

function stepping() {
  const s = articleSession(71508);
  s.stepByStep = true;
  run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
  return s;
}

describe("stepping", () => {
  it("starts before the first rule, at the routing decision", () => {
    const s = stepping();
    expect(s.stepper!.pos).toBe(0);
    expect(run(s, "where")).toMatch(/^routing decision \(output\) \| tcp 192\.168\.1\.88:49058 -> 10\.43\.156\.98:9898 SYN len 60 out enp3s0 \| ct not tracked/);
  });

  it("between routing and FORWARD, where names the TTL decrement (a forwarded packet)", () => {
    const s = articleSession(71508);
    s.stepByStep = true;
    run(s, "send tcp 192.168.1.20:40000 -> 10.43.156.98:9898 in enp3s0");
    while (!s.stepper!.done && s.stepper!.position().event?.kind !== "ttl") run(s, "step");
    expect(run(s, "where")).toMatch(/^forwarding: TTL 64 → 63, before FORWARD \| tcp 192\.168\.1\.20:40000 -> 10\.42\.\d+\.\d+:9898 /);
  });

  it("step goes rule by rule, into jumped chains, with the stack in where", () => {
    const s = stepping();
    run(s, "step 2");
    const w = run(s, "where");
    expect(w).toContain("OUTPUT ▸ raw ▸ OUTPUT → cali-OUTPUT ▸ rule #1");
    expect(w).toContain("jump stack:\n  raw OUTPUT\n    ↳ raw cali-OUTPUT");
    expect(w).toContain('rule: -A cali-OUTPUT -m comment --comment "cali:njdnLwYeGqBJyMxW" -j MARK --set-xmark 0x0/0xf0000');
  });

  it("continue stops at a chain breakpoint; show state is the packet there", () => {
    const s = stepping();
    expect(run(s, "break chain KUBE-SEP-OYNVDBAPYJ623W6H")).toBe("breakpoint 1: chain KUBE-SEP-OYNVDBAPYJ623W6H");
    const out = run(s, "continue");
    expect(out).toMatch(/^breakpoint 1: chain KUBE-SEP-OYNVDBAPYJ623W6H/);
    expect(out).toContain("KUBE-SEP-OYNVDBAPYJ623W6H #1  ✗ -s 10.42.54.194/32 — src is 192.168.1.88");
    const st = run(s, "show state");
    expect(st).toContain("where: OUTPUT ▸ nat ▸ OUTPUT → KUBE-SERVICES → KUBE-SVC-Y4T5L63IYP3YFEBS → KUBE-SEP-OYNVDBAPYJ623W6H ▸ rule #1");
    expect(st).toContain("Destination IP address: 10.43.156.98"); // DNAT not applied yet
    expect(st).toContain("Mark: 0x4000"); // KUBE-MARK-MASQ already ran
    run(s, "step");
    run(s, "step");
    expect(run(s, "show state")).toContain("Destination IP address: 10.42.54.194");
  });

  it("back undoes steps exactly", () => {
    const s = stepping();
    run(s, "step 10");
    const at10 = run(s, "where");
    run(s, "step 5");
    run(s, "back 5");
    expect(run(s, "where")).toBe(at10);
  });

  it("finish runs to the end of the hook; continue to the fate", () => {
    const s = stepping();
    run(s, "step 3");
    const f = run(s, "finish");
    expect(f).toContain("policy ACCEPT");
    expect(run(s, "where")).toMatch(/^OUTPUT ▸ filter/);
    const c = run(s, "continue");
    expect(c).toContain("FATE: sent out vxlan.calico via 10.42.54.193");
    expect(s.stepper!.done).toBe(true);
  });

  it("errors are one line with a hint and leave the cursor where it was", () => {
    const s = stepping();
    run(s, "step 4");
    const before = run(s, "where");
    const r = runLine(s, "break chain KUBE-SVC-Y4T5");
    expect(r.error).toBe("column 13: unknown chain KUBE-SVC-Y4T5");
    expect(r.hint).toBe("did you mean KUBE-SVC-Y4T5L63IYP3YFEBS?");
    expect(runLine(s, "delete break 3").error).toBe("column 14: no breakpoint 3");
    expect(run(s, "where")).toBe(before);
  });
});

describe("counters follow the cursor", () => {
  const list = "iptables -t nat -L KUBE-SVC-Y4T5L63IYP3YFEBS -n -v --line-numbers";
  /** The packet counts of the chain's rules, by rule number. */
  const packets = (listing: string) => listing.split("\n").filter((l) => /^\d+ /.test(l)).map((l) => Number(l.split(/\s+/)[1]));

  it("a packet paused in KUBE-MARK-MASQ has not been counted on the KUBE-SEP rule it will take", () => {
    const s = articleSession();
    s.stepByStep = true;
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "break chain KUBE-MARK-MASQ", "continue");
    expect(packets(run(s, list))).toEqual([1, 0, 0]);
    run(s, "continue");
    const after = packets(run(s, list));
    expect(after[0]).toBe(1);
    expect(after[1]! + after[2]!).toBe(1); // the endpoint the draw picked
    run(s, "back 1000"); // before the first step: nothing of this packet counted yet
    expect(packets(run(s, list))).toEqual([0, 0, 0]);
  });
});
