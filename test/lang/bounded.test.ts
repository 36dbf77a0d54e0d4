// A long session stays flat: only the last packets' walks are kept (KEEP_PACKETS, trimmed in
// pairs), so a learner sending thousands of packets does not grow memory without end — and what
// reads them (reply, trace, connect) still sees the packets it needs.
import { describe, expect, it } from "vitest";
import { articleSession } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import { KEEP_PACKETS } from "../../src/lang/session.js";

describe("bounded session memory", () => {
  it("keeps the last packets; reply and trace read the latest; connect's packets all shown", () => {
    const s = articleSession();
    for (let i = 0; i < 3 * KEEP_PACKETS; i++) expect(runLine(s, `send tcp 192.168.1.88:${20000 + i} -> 10.43.156.98:9898`).error).toBeUndefined();
    expect(s.sent.length).toBeLessThan(2 * KEEP_PACKETS);
    expect(s.sent.length).toBeGreaterThanOrEqual(KEEP_PACKETS);
    expect(s.sent[s.sent.length - 1]!.label).toBe(`send tcp 192.168.1.88:${20000 + 3 * KEEP_PACKETS - 1} -> 10.43.156.98:9898`);
    // the article traces dport 9898: trace shows the kept packets only, the latest among them
    const trace = runLine(s, "trace").text;
    const ids = new Set([...trace.matchAll(/^PACKET: 2 ([0-9a-f]{8})/gm)].map((m) => m[1]));
    expect(ids.size).toBeGreaterThan(0);
    expect(ids.size).toBeLessThanOrEqual(2 * KEEP_PACKETS);
    expect(trace).toContain(`SPORT=${20000 + 3 * KEEP_PACKETS - 1}`);
    expect(trace).not.toContain(`SPORT=20000 `);
    expect(runLine(s, "reply").error).toBeUndefined();
    // a connection right at the trimming edge: all its packets are in its output
    for (let i = s.sent.length; i < 2 * KEEP_PACKETS - 3; i++) runLine(s, `send udp 192.168.1.88:${30000 + i} -> 10.43.0.10:53`);
    const c = runLine(s, "connect tcp 192.168.1.88:41000 -> 10.43.156.98:9898");
    expect(c.error).toBeUndefined();
    // SYN, SYN-ACK, ACK, data, data back, ACK, FIN, FIN back, ACK
    expect(c.display?.filter((d) => d.kind === "walk")).toHaveLength(9);
  });
});
