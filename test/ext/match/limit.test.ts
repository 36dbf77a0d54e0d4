// -m limit vectors (kernel: xt_limit.c limit_mt, and nft_limit.c, which iptables-nft uses for
// it natively — a token bucket that starts full at the burst, refills at the rate, and matches
// while a token is left; no invert). Earlier packets are sent in `before`; `tick` advances the
// clock.
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const P = "icmp 192.168.1.20 -> 192.168.1.88 in enp3s0";
const times = (n: number) => Array.from({ length: n }, () => `send ${P}`);
const RULE = "-p icmp -m limit --limit 1/sec --limit-burst 2 -j ACCEPT";

describe("-m limit", () => {
  vectors([
    { name: "the first packet takes a token", chain: "INPUT", rule: RULE, packet: P, expect: "match" },
    { name: "the burst's last token", chain: "INPUT", rule: RULE, packet: P, before: times(1), expect: "match" },
    { name: "past the burst: no token", chain: "INPUT", rule: RULE, packet: P, before: times(2), expect: { fail: "-m limit --limit 1/sec", why: "rate exceeded (bucket empty)" } },
    { name: "a second later one token is back", chain: "INPUT", rule: RULE, packet: P, before: [...times(2), "tick 1"], expect: "match" },
    { name: "only one: the next packet is over again", chain: "INPUT", rule: RULE, packet: P, before: [...times(2), "tick 1", `send ${P}`], expect: { fail: "-m limit --limit 1/sec" } },
    { name: "a long pause refills only up to the burst", chain: "INPUT", rule: RULE, packet: P, before: [...times(2), "tick 3600", ...times(2)], expect: { fail: "-m limit --limit 1/sec" } },
    { name: "the default is 3/hour with a burst of 5: the 5th passes", chain: "INPUT", rule: "-m limit -j ACCEPT", packet: P, before: times(4), expect: "match" },
    { name: "the default: the 6th does not", chain: "INPUT", rule: "-m limit -j ACCEPT", packet: P, before: times(5), expect: { fail: "-m limit --limit 3/hour" } },
    { name: "burst 1: every packet needs a fresh token", chain: "INPUT", rule: "-m limit --limit 10/sec --limit-burst 1 -j ACCEPT", packet: P, before: times(1), expect: { fail: "-m limit --limit 10/sec" } },
    { name: "burst 1 at 10/sec: 100 ms later it passes", chain: "INPUT", rule: "-m limit --limit 10/sec --limit-burst 1 -j ACCEPT", packet: P, before: [...times(1), "tick 0.1"], expect: "match" },
  ]);
});
