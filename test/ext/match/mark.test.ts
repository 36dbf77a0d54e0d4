// -m mark vectors (kernel: xt_mark.c mark_mt — (skb->mark & mask) == mark, ^ invert). Packets
// get a mark with the send option `mark`.
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const marked = (m: string) => `tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0 mark ${m}`;

describe("-m mark", () => {
  vectors([
    { name: "the exact mark", chain: "INPUT", rule: "-m mark --mark 0x4000 -j ACCEPT", packet: marked("0x4000"), expect: "match" },
    { name: "another mark misses", chain: "INPUT", rule: "-m mark --mark 0x4000 -j ACCEPT", packet: marked("0x4001"), expect: { fail: "-m mark --mark 0x4000", why: "mark is 0x4001" } },
    { name: "a mask: only its bits count (kube-proxy's 0x4000/0x4000)", chain: "INPUT", rule: "-m mark --mark 0x4000/0x4000 -j ACCEPT", packet: marked("0xc001"), expect: "match" },
    { name: "a mask: the bit clear misses", chain: "INPUT", rule: "-m mark --mark 0x4000/0x4000 -j ACCEPT", packet: marked("0x8000"),
      expect: { fail: "-m mark --mark 0x4000/0x4000", why: "mark is 0x8000" } },
    { name: "mark 0 on an unmarked packet", chain: "INPUT", rule: "-m mark --mark 0x0 -j ACCEPT", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: "match" },
    { name: "mask 0 matches every mark (value 0)", chain: "INPUT", rule: "-m mark --mark 0x0/0x0 -j ACCEPT", packet: marked("0xffffffff"), expect: "match" },
    { name: "the full 32 bits", chain: "INPUT", rule: "-m mark --mark 0xffffffff -j ACCEPT", packet: marked("0xffffffff"), expect: "match" },
    { name: "negated: the mark misses", chain: "INPUT", rule: "-m mark ! --mark 0x4000/0x4000 -j ACCEPT", packet: marked("0x4000"), expect: { fail: "-m mark ! --mark 0x4000/0x4000" } },
    { name: "negated: without the bit matches", chain: "INPUT", rule: "-m mark ! --mark 0x4000/0x4000 -j ACCEPT", packet: marked("0x1"), expect: "match" },
    { name: "a mark set by an earlier MARK rule", table: "mangle", chain: "PREROUTING", rule: "-m mark --mark 0x7",
      extra: "*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j MARK --set-xmark 0x7/0xffffffff\nCOMMIT\n", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: "match" },
    { name: "a value with bits outside its mask never matches: the kernel does not mask it (measured)", chain: "INPUT", rule: "-m mark --mark 0x1/0xf0 -j ACCEPT", packet: marked("0x1"),
      expect: { fail: "-m mark --mark 0x1/0xf0", why: "mark is 0x1" } },
    { name: "so its negation matches every packet (measured: ! --mark 0x1/0xf0 on mark 0)", chain: "INPUT", rule: "-m mark ! --mark 0x1/0xf0 -j ACCEPT", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: "match" },
    { name: "decimal is read as a number", chain: "INPUT", rule: "-m mark --mark 16384 -j ACCEPT", packet: marked("0x4000"), expect: "match" },
  ]);
});
