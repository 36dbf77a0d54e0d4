// Misses are worded only when read: the words are the same as ever, they describe the packet as
// it was when the rule was tested (not after a later DNAT), and JSON carries them.
import { describe, expect, it } from "vitest";
import { articleSession, rulesSession, run } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import type { TraceEvent } from "../../src/engine/trace/events.js";

const misses = (events: TraceEvent[]) => events.flatMap((e) => (e.kind === "nomatch" ? [e] : []));

describe("lazily worded misses", () => {
  it("read as clause and why, with the address the packet had when tested", () => {
    const s = articleSession();
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    const ms = misses(s.sent[0]!.result.events);
    const first = ms.find((m) => m.chain === "KUBE-SERVICES")!;
    expect({ clause: first.fail.clause, why: first.fail.why }).toEqual({ clause: "-d 10.43.0.1/32", why: "dst is 10.43.156.98" });
    // the packet was DNATed to the pod after this test: the words still say the Service address
    expect(s.sent[0]!.result.pkt.dst).not.toBe(0x0a2b9c62);
  });

  it("every kind of clause: -s, -i, -o, -p, and a module's", () => {
    const rules = [
      "*filter",
      ":FORWARD ACCEPT [0:0]",
      "-A FORWARD ! -s 192.168.1.20/32 -j DROP",
      "-A FORWARD -i lo -j DROP",
      "-A FORWARD -o lo -j DROP",
      "-A FORWARD -p udp -j DROP",
      "-A FORWARD -p tcp -m tcp --dport 22 -j DROP",
      "-A FORWARD -m mark --mark 0x1 -j DROP",
      "COMMIT",
      "",
    ].join("\n");
    const s = rulesSession(rules);
    run(s, "send tcp 192.168.1.20:1000 -> 10.42.54.194:80 in enp3s0");
    const words = misses(s.sent[0]!.result.events).map((m) => `${m.fail.clause} — ${m.fail.why}`);
    expect(words).toEqual([
      "! -s 192.168.1.20/32 — src is 192.168.1.20",
      "-i lo — in-interface is enp3s0",
      "-o lo — out-interface is vxlan.calico",
      "-p udp — protocol is tcp",
      "-m tcp --dport 22 — dport is 80",
      "-m mark --mark 0x1 — mark is 0x0",
    ]);
  });

  it("format json writes them as clause and why", () => {
    const s = articleSession();
    run(s, "format json");
    const out = JSON.parse(runLine(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898").text) as { kind: string; fail?: unknown }[];
    const miss = out.find((e) => e.kind === "nomatch")!;
    expect(miss.fail).toEqual({ clause: expect.any(String), why: expect.any(String) });
    expect(Object.keys(miss.fail as object).sort()).toEqual(["clause", "why"]);
  });
});
