// -m statistic vectors (kernel: xt_statistic.c statistic_mt — random: (get_random_u32() &
// 0x7FFFFFFF) < probability; nth: a shared counter starting at every-1-packet, counting up and
// matching when it wraps to 0; invert flips either). Earlier packets are sent in `before`.
import { describe, expect, it } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";
import { rulesSession, run } from "../../helpers/session.js";

const P = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";
const times = (n: number) => Array.from({ length: n }, () => `send ${P}`);

describe("-m statistic", () => {
  vectors([
    { name: "nth --every 3 --packet 0: the 1st packet", chain: "INPUT", rule: "-m statistic --mode nth --every 3 --packet 0 -j ACCEPT", packet: P, expect: "match" },
    { name: "nth --every 3 --packet 0: not the 2nd", chain: "INPUT", rule: "-m statistic --mode nth --every 3 --packet 0 -j ACCEPT", packet: P, before: times(1),
      expect: { fail: "-m statistic --every 3", why: "packet counter at 1" } },
    { name: "nth --every 3 --packet 0: not the 3rd", chain: "INPUT", rule: "-m statistic --mode nth --every 3 --packet 0 -j ACCEPT", packet: P, before: times(2), expect: { fail: "-m statistic --every 3" } },
    { name: "nth --every 3 --packet 0: the 4th again", chain: "INPUT", rule: "-m statistic --mode nth --every 3 --packet 0 -j ACCEPT", packet: P, before: times(3), expect: "match" },
    { name: "nth --every 3 --packet 2: the 3rd", chain: "INPUT", rule: "-m statistic --mode nth --every 3 --packet 2 -j ACCEPT", packet: P, before: times(2), expect: "match" },
    { name: "nth --every 3 --packet 2: not the 1st", chain: "INPUT", rule: "-m statistic --mode nth --every 3 --packet 2 -j ACCEPT", packet: P, expect: { fail: "-m statistic --every 3" } },
    { name: "nth --every 1 matches every packet", chain: "INPUT", rule: "-m statistic --mode nth --every 1 --packet 0 -j ACCEPT", packet: P, before: times(4), expect: "match" },
    { name: "nth negated: the counted packet misses", chain: "INPUT", rule: "-m statistic --mode nth ! --every 2 --packet 0 -j ACCEPT", packet: P, expect: { fail: "-m statistic --every 2" } },
    { name: "nth negated: the others match", chain: "INPUT", rule: "-m statistic --mode nth ! --every 2 --packet 0 -j ACCEPT", packet: P, before: times(1), expect: "match" },
    { name: "random 1.0 always matches", chain: "INPUT", rule: "-m statistic --mode random --probability 1.0 -j ACCEPT", packet: P, before: times(5), expect: "match" },
    { name: "random 0.0 never matches", chain: "INPUT", rule: "-m statistic --mode random --probability 0.0 -j ACCEPT", packet: P, before: times(5), expect: { fail: "-m statistic --probability 0.00000000000" } },
    { name: "random ! 1.0 never matches", chain: "INPUT", rule: "-m statistic --mode random ! --probability 1.0 -j ACCEPT", packet: P, expect: { fail: "-m statistic --probability 1.00000000000" } },
  ]);
});

describe("-m statistic --mode random, counted", () => {
  // one draw per packet: over 400 packets a 0.5 rule matches between 150 and 250 (p < 1e-5 to fail by chance)
  it("a probability of 0.5 matches about half the packets", () => {
    const s = rulesSession("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m statistic --mode random --probability 0.5 -j ACCEPT\nCOMMIT\n", 7);
    run(s, ...times(400));
    const hits = s.sent.filter((p) => p.result.events.some((e) => e.kind === "rule" && e.chain === "INPUT")).length;
    expect(hits).toBeGreaterThan(150);
    expect(hits).toBeLessThan(250);
  });
});
