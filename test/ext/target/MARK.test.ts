// -j MARK vectors (kernel: xt_MARK.c mark_tg — skb->mark = (skb->mark & ~mask) ^ value, then
// XT_CONTINUE; iptables turns --set-mark/--or-mark/--and-mark/--xor-mark into that value/mask;
// the target has no table restriction).
import { describe, expect } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const IN = (mark = "0x0") => `tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0 mark ${mark}`;

describe("-j MARK", () => {
  vectors([
    { name: "--set-xmark 0x4000/0x4000 sets one bit", table: "mangle", chain: "PREROUTING", rule: "-j MARK --set-xmark 0x4000/0x4000", packet: IN(), expect: { verdict: "CONTINUE", after: { mark: 0x4000 } } },
    { name: "--set-xmark keeps the bits outside the mask", table: "mangle", chain: "PREROUTING", rule: "-j MARK --set-xmark 0x4000/0x4000", packet: IN("0x1"), expect: { after: { mark: 0x4001 } } },
    { name: "--set-mark replaces all 32 bits", table: "mangle", chain: "PREROUTING", rule: "-j MARK --set-mark 0x7", packet: IN("0xff00"), expect: { after: { mark: 0x7 } } },
    { name: "--or-mark", table: "mangle", chain: "PREROUTING", rule: "-j MARK --or-mark 0x2", packet: IN("0x1"), expect: { after: { mark: 0x3 } } },
    { name: "--and-mark", table: "mangle", chain: "PREROUTING", rule: "-j MARK --and-mark 0xf0", packet: IN("0xff"), expect: { after: { mark: 0xf0 } } },
    { name: "--xor-mark", table: "mangle", chain: "PREROUTING", rule: "-j MARK --xor-mark 0x1", packet: IN("0x3"), expect: { after: { mark: 0x2 } } },
    { name: "mask 0: value XORed in (0x1/0x0 toggles bit 0)", table: "mangle", chain: "PREROUTING", rule: "-j MARK --set-xmark 0x1/0x0", packet: IN("0x3"), expect: { after: { mark: 0x2 } } },
    { name: "the full mark 0xffffffff", table: "mangle", chain: "PREROUTING", rule: "-j MARK --set-mark 0xffffffff", packet: IN(), expect: { after: { mark: 0xffffffff } } },
    { name: "a later rule sees the mark; the packet keeps it to the end", table: "mangle", chain: "PREROUTING", rule: "-j MARK --set-xmark 0x10/0xffffffff", packet: IN(),
      extra: "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m mark --mark 0x10 -j ACCEPT\nCOMMIT\n",
      expect: { check: (r) => {
        expect(r.result.events.some((e) => e.kind === "rule" && e.table === "filter" && e.chain === "INPUT")).toBe(true);
        expect(r.result.pkt.mark).toBe(0x10);
      } } },
    { name: "allowed in filter too", chain: "INPUT", rule: "-j MARK --set-mark 0x1", packet: IN(), expect: { verdict: "CONTINUE", after: { mark: 0x1 } } },
    { name: "in nat OUTPUT (kube-proxy's KUBE-MARK-MASQ)", table: "nat", chain: "KUBE-MARK-MASQ", via: "OUTPUT", rule: "-j MARK --set-xmark 0x4000/0x4000",
      extra: "*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m conntrack --ctstate NEW\nCOMMIT\n", packet: "tcp 192.168.1.88:40000 -> 192.168.1.20:80", expect: { verdict: "CONTINUE", after: { mark: 0x4000 } } },
  ]);
});
