// -j CONNMARK vectors (kernel: xt_connmark.c connmark_tg_shift — set: ct->mark = (ct->mark &
// ~ctmask) ^ ctmark; save: (ct->mark & ~ctmask) ^ (skb->mark & nfmask); restore: skb->mark =
// (skb->mark & ~nfmask) ^ (ct->mark & ctmask); no conntrack entry: nothing; XT_CONTINUE).
import { describe, expect } from "vitest";
import { vectors, type VectorRun } from "../../helpers/ext-vectors.js";

const IN = (mark = "0x0") => `tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0 mark ${mark}`;
const ctmark = (r: VectorRun) => r.s.engine.conntrack.entries[0]?.mark;
const SET_OUT = (m: string) => `*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j CONNMARK --set-xmark ${m}/0xffffffff\nCOMMIT\n`;

describe("-j CONNMARK", () => {
  vectors([
    { name: "--set-mark sets the connection's mark, not the packet's", table: "mangle", chain: "PREROUTING", rule: "-j CONNMARK --set-xmark 0x10/0xffffffff", packet: IN(),
      expect: { verdict: "CONTINUE", after: { mark: 0 }, check: (r) => expect(ctmark(r)).toBe(0x10) } },
    { name: "--set-xmark with a mask keeps the other bits", table: "mangle", chain: "PREROUTING", rule: "-j CONNMARK --set-xmark 0x10/0xf0", packet: IN(),
      expect: { check: (r) => expect(ctmark(r)).toBe(0x10) } },
    { name: "--save-mark copies the packet's mark", table: "mangle", chain: "PREROUTING", rule: "-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff", packet: IN("0x5"),
      expect: { check: (r) => expect(ctmark(r)).toBe(0x5) } },
    { name: "--save-mark --mask copies only the masked bits", table: "mangle", chain: "PREROUTING", rule: "-j CONNMARK --save-mark --nfmask 0xf --ctmask 0xf", packet: IN("0x35"),
      expect: { check: (r) => expect(ctmark(r)).toBe(0x5) } },
    { name: "--restore-mark puts the connection's mark on a reply", table: "mangle", chain: "PREROUTING", rule: "-j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff",
      extra: SET_OUT("0x20"), before: ["send tcp 192.168.1.88:40000 -> 192.168.1.20:80"], packet: "tcp 192.168.1.20:80 -> 192.168.1.88:40000 in enp3s0 flags SYN,ACK",
      expect: { verdict: "CONTINUE", after: { mark: 0x20 } } },
    { name: "--restore-mark with masks: (mark & ~nfmask) ^ (ctmark & ctmask)", table: "mangle", chain: "PREROUTING", rule: "-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff",
      extra: SET_OUT("0x1234"), before: ["send tcp 192.168.1.88:40000 -> 192.168.1.20:80"], packet: "tcp 192.168.1.20:80 -> 192.168.1.88:40000 in enp3s0 flags SYN,ACK mark 0x5500",
      expect: { after: { mark: 0x5534 } } },
    { name: "raw PREROUTING runs before conntrack: no entry yet, nothing marked", table: "raw", chain: "PREROUTING", rule: "-j CONNMARK --set-xmark 0x10/0xffffffff", packet: IN(),
      expect: { verdict: "CONTINUE", check: (r) => {
        expect(r.s.engine.conntrack.entries).toHaveLength(1); // made after raw, at conntrack's own priority
        expect(ctmark(r)).toBe(0);
      } } },
    { name: "a NOTRACK'd packet has no entry: nothing marked", table: "mangle", chain: "PREROUTING", rule: "-j CONNMARK --set-xmark 0x10/0xffffffff", packet: IN(),
      extra: "*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j CT --notrack\nCOMMIT\n",
      expect: { verdict: "CONTINUE", check: (r) => expect(r.s.engine.conntrack.entries).toHaveLength(0) } },
  ]);
});
