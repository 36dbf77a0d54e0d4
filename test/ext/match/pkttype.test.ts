// -m pkttype vectors (kernel: xt_pkttype.c pkttype_mt — the link-layer packet type, set from the
// destination MAC by eth_type_trans: host (unicast), broadcast, multicast; ^ invert. A packet the
// node builds itself keeps PACKET_HOST through OUTPUT and POSTROUTING).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const UNICAST = "udp 192.168.1.20:5000 -> 192.168.1.88:53 in enp3s0";
const BCAST = "udp 192.168.1.20:68 -> 255.255.255.255:67 in enp3s0";
const SUBNET_BCAST = "udp 192.168.1.20:5000 -> 192.168.1.255:137 in enp3s0";
const MCAST = "udp 192.168.1.20:5000 -> 224.0.0.1:5353 in enp3s0 ttl 1";

describe("-m pkttype", () => {
  vectors([
    { name: "unicast", chain: "INPUT", rule: "-m pkttype --pkt-type unicast -j ACCEPT", packet: UNICAST, expect: "match" },
    { name: "host is unicast", chain: "INPUT", rule: "-m pkttype --pkt-type host -j ACCEPT", packet: UNICAST, expect: "match" },
    { name: "unicast is not broadcast", chain: "INPUT", rule: "-m pkttype --pkt-type broadcast -j ACCEPT", packet: UNICAST, expect: { fail: "-m pkttype --pkt-type broadcast", why: "packet is unicast" } },
    { name: "255.255.255.255 is broadcast", chain: "INPUT", rule: "-m pkttype --pkt-type broadcast -j ACCEPT", packet: BCAST, expect: "match" },
    { name: "the subnet broadcast is broadcast", chain: "INPUT", rule: "-m pkttype --pkt-type broadcast -j ACCEPT", packet: SUBNET_BCAST, expect: "match" },
    { name: "224.0.0.1 is multicast", chain: "INPUT", rule: "-m pkttype --pkt-type multicast -j ACCEPT", packet: MCAST, expect: "match" },
    { name: "multicast is not unicast", chain: "INPUT", rule: "-m pkttype --pkt-type unicast -j ACCEPT", packet: MCAST, expect: { fail: "-m pkttype --pkt-type unicast", why: "packet is multicast" } },
    { name: "negated: broadcast is ! unicast", chain: "INPUT", rule: "-m pkttype ! --pkt-type unicast -j ACCEPT", packet: BCAST, expect: "match" },
    { name: "negated: unicast misses ! unicast", chain: "INPUT", rule: "-m pkttype ! --pkt-type unicast -j ACCEPT", packet: UNICAST, expect: { fail: "-m pkttype --pkt-type unicast", why: "packet is unicast" } },
    { name: "already in PREROUTING", table: "raw", chain: "PREROUTING", rule: "-m pkttype --pkt-type broadcast", packet: BCAST, expect: "match" },
    { name: "a forwarded packet is unicast", chain: "FORWARD", rule: "-m pkttype --pkt-type unicast -j ACCEPT", packet: "tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0", expect: "match" },
    {
      name: "the node's own multicast is still PACKET_HOST (unicast) in OUTPUT",
      chain: "OUTPUT",
      rule: "-m pkttype --pkt-type unicast -j ACCEPT",
      packet: "udp 192.168.1.88:5000 -> 224.0.0.251:5353",
      expect: "match",
      // a locally built skb keeps pkt_type 0 (PACKET_HOST); only the looped-back copy becomes PACKET_LOOPBACK
      // measured in OUTPUT: the node's own multicast and broadcast counted as unicast
    },
    {
      name: "the node's own broadcast is still PACKET_HOST (unicast) in OUTPUT",
      chain: "OUTPUT",
      rule: "-m pkttype --pkt-type unicast -j ACCEPT",
      packet: "udp 192.168.1.88:68 -> 255.255.255.255:67",
      expect: "match",
      // measured in OUTPUT: the node's own multicast and broadcast counted as unicast
    },
  ]);
});
