// -m mac vectors: the Ethernet source of a packet that arrived (kernel: xt_mac.c mac_mt, hooks
// PREROUTING, INPUT, FORWARD). Packets sent `in enp3s0` carry the sender's MAC 02:42:c0:a8:01:01
// unless `mac` gives another.
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const IN = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";

describe("-m mac", () => {
  vectors([
    { name: "the sender's MAC matches", chain: "INPUT", rule: "-m mac --mac-source 02:42:c0:a8:01:01 -j ACCEPT", packet: IN, expect: "match" },
    { name: "upper case and short octets are the same address", chain: "INPUT", rule: "-m mac --mac-source 02:42:C0:A8:1:1 -j ACCEPT", packet: IN, expect: "match" },
    { name: "another MAC misses", chain: "INPUT", rule: "-m mac --mac-source 02:42:c0:a8:01:02 -j ACCEPT", packet: IN,
      expect: { fail: "-m mac --mac-source 02:42:c0:a8:01:02", why: "source MAC is 02:42:c0:a8:01:01" } },
    { name: "the packet's own mac option is what is compared", chain: "PREROUTING", table: "raw", rule: "-m mac --mac-source aa:bb:cc:dd:ee:ff -j ACCEPT",
      packet: `${IN} mac AA:BB:CC:DD:EE:FF`, expect: "match" },
    { name: "negated: another MAC matches", chain: "INPUT", rule: "-m mac ! --mac-source 02:42:c0:a8:01:02 -j ACCEPT", packet: IN, expect: "match" },
    { name: "negated: the sender's MAC misses", chain: "INPUT", rule: "-m mac ! --mac-source 02:42:c0:a8:01:01 -j ACCEPT", packet: IN,
      expect: { fail: "-m mac ! --mac-source 02:42:c0:a8:01:01", why: /02:42:c0:a8:01:01/ } },
    { name: "forwarded packets keep the MAC they arrived with", chain: "FORWARD", rule: "-m mac --mac-source 02:42:c0:a8:01:01 -j ACCEPT",
      packet: "tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0", expect: "match" },
    { name: "00:00:00:00:00:00 is an address like any other", chain: "INPUT", rule: "-m mac --mac-source 00:00:00:00:00:00 -j ACCEPT", packet: `${IN} mac 00:00:00:00:00:00`, expect: "match" },
    {
      name: "loopback is not Ethernet: even the negated match is false",
      chain: "INPUT",
      rule: "-m mac ! --mac-source 02:42:c0:a8:01:01 -j ACCEPT",
      packet: "tcp 192.168.1.88:5000 -> 192.168.1.88:22", // sent to ourselves: loops back in lo
      expect: { fail: "-m mac ! --mac-source 02:42:c0:a8:01:01" },
      // mac_mt returns false before applying invert when skb->dev->type != ARPHRD_ETHER
      // (measured: test/kernel/scenarios/36-mac-on-loopback.json)
    },
    { name: "refused in POSTROUTING", table: "mangle", chain: "POSTROUTING", rule: "-m mac --mac-source 02:42:c0:a8:01:01", packet: IN,
      expect: { loadError: /-m mac cannot be used in the POSTROUTING hook/ } },
    { name: "refused in a user chain reached from OUTPUT", chain: "MACS", via: "OUTPUT", rule: "-m mac --mac-source 02:42:c0:a8:01:01", packet: IN,
      expect: { loadError: /-m mac cannot be used in the OUTPUT hook/ } },
    { name: "a user chain reached from INPUT is fine", chain: "MACS", via: "INPUT", rule: "-m mac --mac-source 02:42:c0:a8:01:01", packet: IN, expect: "match" },
  ]);
});
