// -m connmark vectors (kernel: xt_connmark.c connmark_mt — no conntrack entry, no match, negated
// or not; else (ct->mark & mask) == mark, ^ invert). The connection's mark is set with
// -j CONNMARK in raw/mangle before the rule.
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const IN = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";
const SET = (m: string) => `*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j CONNMARK --set-xmark ${m}/0xffffffff\nCOMMIT\n`;
const NOTRACK = "*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j CT --notrack\nCOMMIT\n";

describe("-m connmark", () => {
  vectors([
    { name: "a new connection's mark is 0", chain: "INPUT", rule: "-m connmark --mark 0x0 -j ACCEPT", packet: IN, expect: "match" },
    { name: "the mark CONNMARK set", chain: "INPUT", rule: "-m connmark --mark 0x10 -j ACCEPT", extra: SET("0x10"), packet: IN, expect: "match" },
    { name: "a value with bits outside its mask never matches, so its negation always does (as -m mark, measured)", chain: "INPUT", rule: "-m connmark ! --mark 0x11/0xf -j ACCEPT", extra: SET("0x11"), packet: IN, expect: "match" },
    { name: "another mark misses", chain: "INPUT", rule: "-m connmark --mark 0x20 -j ACCEPT", extra: SET("0x10"), packet: IN, expect: { fail: "-m connmark --mark 0x20", why: "ctmark is 0x10" } },
    { name: "a mask", chain: "INPUT", rule: "-m connmark --mark 0x10/0xf0 -j ACCEPT", extra: SET("0x1f"), packet: IN, expect: "match" },
    { name: "negated: another mark matches", chain: "INPUT", rule: "-m connmark ! --mark 0x20 -j ACCEPT", extra: SET("0x10"), packet: IN, expect: "match" },
    { name: "negated: the mark misses", chain: "INPUT", rule: "-m connmark ! --mark 0x10 -j ACCEPT", extra: SET("0x10"), packet: IN, expect: { fail: "-m connmark ! --mark 0x10" } },
    { name: "the reply carries the connection's mark", chain: "INPUT", rule: "-m connmark --mark 0x10 -j ACCEPT", packet: "tcp 192.168.1.20:80 -> 192.168.1.88:40000 in enp3s0 flags SYN,ACK",
      extra: "*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j CONNMARK --set-xmark 0x10/0xffffffff\nCOMMIT\n", before: ["send tcp 192.168.1.88:40000 -> 192.168.1.20:80"], expect: "match" },
    { name: "untracked: no entry, no match", chain: "INPUT", rule: "-m connmark --mark 0x0 -j ACCEPT", extra: NOTRACK, packet: IN, expect: { fail: "-m connmark --mark 0x0", why: "no conntrack entry" } },
    { name: "untracked: not even negated", chain: "INPUT", rule: "-m connmark ! --mark 0x1 -j ACCEPT", extra: NOTRACK, packet: IN, expect: { fail: "-m connmark ! --mark 0x1", why: "no conntrack entry" } },
  ]);
});
