// -m addrtype vectors (kernel: xt_addrtype.c addrtype_mt_v1 -> inet_dev_addr_type: the local
// routing table decides LOCAL/BROADCAST, everything else routable is UNICAST; with
// --limit-iface-in/out only routes on that device count; checkentry refuses limit-iface-in in
// OUTPUT/POSTROUTING and limit-iface-out in PREROUTING/INPUT).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const to = (dst: string, iface = "enp3s0") => `tcp 192.168.1.20:5000 -> ${dst}:80 in ${iface}`;

describe("-m addrtype", () => {
  vectors([
    { name: "the node's address is LOCAL", table: "raw", chain: "PREROUTING", rule: "-m addrtype --dst-type LOCAL", packet: to("192.168.1.88"), expect: "match" },
    { name: "vxlan.calico's address is LOCAL too", table: "raw", chain: "PREROUTING", rule: "-m addrtype --dst-type LOCAL", packet: to("10.42.135.130"), expect: "match" },
    { name: "all of 127.0.0.0/8 is LOCAL", table: "raw", chain: "PREROUTING", rule: "-m addrtype --dst-type LOCAL", packet: to("127.0.0.5"), expect: "match" },
    { name: "a pod elsewhere is UNICAST", table: "raw", chain: "PREROUTING", rule: "-m addrtype --dst-type LOCAL", packet: to("10.42.54.194"),
      expect: { fail: "-m addrtype --dst-type LOCAL", why: "10.42.54.194 is UNICAST" } },
    { name: "UNICAST", table: "raw", chain: "PREROUTING", rule: "-m addrtype --dst-type UNICAST", packet: to("10.42.54.194"), expect: "match" },
    { name: "the subnet broadcast is BROADCAST", table: "raw", chain: "PREROUTING", rule: "-m addrtype --dst-type BROADCAST", packet: "udp 192.168.1.20:5000 -> 192.168.1.255:67 in enp3s0", expect: "match" },
    { name: "255.255.255.255 is BROADCAST", table: "raw", chain: "PREROUTING", rule: "-m addrtype --dst-type BROADCAST", packet: "udp 192.168.1.20:68 -> 255.255.255.255:67 in enp3s0", expect: "match" },
    { name: "224.0.0.1 is MULTICAST", table: "raw", chain: "PREROUTING", rule: "-m addrtype --dst-type MULTICAST", packet: "udp 192.168.1.20:5000 -> 224.0.0.1:5353 in enp3s0 ttl 1", expect: "match" },
    { name: "a list: any of its types", table: "raw", chain: "PREROUTING", rule: "-m addrtype --dst-type LOCAL,BROADCAST", packet: "udp 192.168.1.20:5000 -> 192.168.1.255:67 in enp3s0", expect: "match" },
    { name: "negated: a local destination misses", table: "raw", chain: "PREROUTING", rule: "-m addrtype ! --dst-type LOCAL", packet: to("192.168.1.88"),
      expect: { fail: "-m addrtype ! --dst-type LOCAL", why: "192.168.1.88 is LOCAL" } },
    { name: "negated: a forwarded destination matches", table: "raw", chain: "PREROUTING", rule: "-m addrtype ! --dst-type LOCAL", packet: to("10.42.54.194"), expect: "match" },
    { name: "--src-type LOCAL on the node's own packet", chain: "OUTPUT", rule: "-m addrtype --src-type LOCAL -j ACCEPT", packet: "tcp 192.168.1.88:40000 -> 192.168.1.20:80", expect: "match" },
    { name: "source and destination both checked", chain: "OUTPUT", rule: "-m addrtype --src-type LOCAL --dst-type LOCAL -j ACCEPT", packet: "tcp 192.168.1.88:40000 -> 192.168.1.20:80",
      expect: { fail: "-m addrtype --dst-type LOCAL", why: "192.168.1.20 is UNICAST" } },
    { name: "--limit-iface-in: LOCAL on the interface it arrived by", table: "raw", chain: "PREROUTING", rule: "-m addrtype --dst-type LOCAL --limit-iface-in", packet: to("192.168.1.88"), expect: "match" },
    { name: "--limit-iface-in: another interface's address is UNICAST here", table: "raw", chain: "PREROUTING", rule: "-m addrtype --dst-type LOCAL --limit-iface-in", packet: to("10.42.135.130"),
      expect: { fail: "-m addrtype --dst-type LOCAL --limit-iface-in", why: "10.42.135.130 is UNICAST on enp3s0" } },
    { name: "Calico's MASQUERADE guard: --limit-iface-out in POSTROUTING", table: "mangle", chain: "POSTROUTING", rule: "-o vxlan.calico -m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL",
      packet: "tcp 192.168.1.88:40000 -> 10.42.54.194:80", expect: "match" },
    { name: "--limit-iface-in is refused in OUTPUT", chain: "OUTPUT", rule: "-m addrtype --dst-type LOCAL --limit-iface-in", packet: to("192.168.1.88"), expect: { loadError: /-m addrtype cannot be used in the OUTPUT hook/ } },
    { name: "--limit-iface-in is refused in POSTROUTING", table: "mangle", chain: "POSTROUTING", rule: "-m addrtype --dst-type LOCAL --limit-iface-in", packet: to("192.168.1.88"), expect: { loadError: /cannot be used in the POSTROUTING hook/ } },
    { name: "--limit-iface-out is refused in PREROUTING", table: "raw", chain: "PREROUTING", rule: "-m addrtype --dst-type LOCAL --limit-iface-out", packet: to("192.168.1.88"), expect: { loadError: /cannot be used in the PREROUTING hook/ } },
    { name: "without limit options every hook is fine: FORWARD", chain: "FORWARD", rule: "-m addrtype --dst-type UNICAST -j ACCEPT", packet: to("10.42.54.194"), expect: "match" },
  ]);
});
