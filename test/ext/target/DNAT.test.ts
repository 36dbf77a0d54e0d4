// -j DNAT vectors (kernel: xt_nat.c xt_dnat_target_v2 -> nf_nat_setup_info(NF_NAT_MANIP_DST):
// the connection's destination is rewritten, the port kept when none is given, the reply's
// source restored by conntrack; NF_ACCEPT; nat table, PREROUTING and OUTPUT only).
import { describe, expect } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";
import { formatIp } from "../../../src/engine/model/ipv4.js";
import { run } from "../../helpers/session.js";

const LOCAL = "tcp 192.168.1.88:40000 -> 10.43.0.10:80";
const FROM_LAN = "tcp 192.168.1.20:5000 -> 192.168.1.88:8080 in enp3s0";

describe("-j DNAT", () => {
  vectors([
    { name: "nat OUTPUT: a ClusterIP to a pod, port given", table: "nat", chain: "OUTPUT", rule: "-d 10.43.0.10/32 -p tcp -j DNAT --to-destination 10.42.54.194:9898", packet: LOCAL,
      expect: { verdict: "ACCEPT", nat: { manip: "DST", src: "192.168.1.88", sport: 40000, dst: "10.42.54.194", dport: 9898 }, fate: { kind: "sent", iface: "vxlan.calico" } } },
    { name: "without a port the port is kept", table: "nat", chain: "OUTPUT", rule: "-d 10.43.0.10/32 -j DNAT --to-destination 10.42.54.194", packet: LOCAL,
      expect: { nat: { manip: "DST", dst: "10.42.54.194", dport: 80 } } },
    { name: "PREROUTING: a node port to a pod, then forwarded", table: "nat", chain: "PREROUTING", rule: "-p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.42.54.194:9898", packet: FROM_LAN,
      expect: { verdict: "ACCEPT", nat: { manip: "DST", dst: "10.42.54.194", dport: 9898, src: "192.168.1.20" }, fate: { kind: "sent", iface: "vxlan.calico" } } },
    { name: "an address range: the destination lands inside it", table: "nat", chain: "OUTPUT", rule: "-d 10.43.0.10/32 -j DNAT --to-destination 10.42.54.194-10.42.54.196", packet: LOCAL,
      expect: { check: (r) => expect(["10.42.54.194", "10.42.54.195", "10.42.54.196"]).toContain(formatIp(r.result.pkt.dst)) } },
    { name: "a port range: the port lands inside it", table: "nat", chain: "OUTPUT", rule: "-p tcp -j DNAT --to-destination 10.42.54.194:9000-9010", packet: LOCAL,
      expect: { check: (r) => { expect(r.result.pkt.dport).toBeGreaterThanOrEqual(9000); expect(r.result.pkt.dport).toBeLessThanOrEqual(9010); } } },
    { name: "port 65535", table: "nat", chain: "OUTPUT", rule: "-p tcp -j DNAT --to-destination 10.42.54.194:65535", packet: LOCAL, expect: { nat: { manip: "DST", dport: 65535 } } },
    { name: "the reply comes back from the ClusterIP (conntrack restores the source)", table: "nat", chain: "OUTPUT", rule: "-p tcp -j DNAT --to-destination 10.42.54.194:9898", packet: LOCAL,
      expect: { check: (r) => {
        run(r.s, "reply");
        const back = r.s.sent[r.s.sent.length - 1]!.result;
        expect([formatIp(back.pkt.src), back.pkt.sport, formatIp(back.pkt.dst), back.pkt.dport]).toEqual(["10.43.0.10", 80, "192.168.1.88", 40000]);
        expect(back.fate.kind).toBe("delivered");
      } } },
    { name: "the connection's later packets skip the nat chain", table: "nat", chain: "OUTPUT", rule: "-p tcp -j DNAT --to-destination 10.42.54.194:9898", packet: LOCAL,
      expect: { check: (r) => {
        run(r.s, "reply flags SYN,ACK", `send ${LOCAL} flags ACK`);
        const again = r.s.sent[r.s.sent.length - 1]!.result;
        expect(formatIp(again.pkt.dst)).toBe("10.42.54.194");
        expect(again.events.some((e) => (e.kind === "rule" || e.kind === "nomatch") && e.table === "nat")).toBe(false);
      } } },
    { name: "refused in a user chain reached from POSTROUTING", table: "nat", chain: "SVC", via: "POSTROUTING", rule: "-j DNAT --to-destination 10.42.54.194", packet: LOCAL,
      expect: { loadError: /DNAT is not allowed in the POSTROUTING hook/ } },
    // iptables v1.8.9 messages, measured with `iptables -t nat -A OUTPUT -p tcp -j DNAT --to-destination …`
    { name: "a range with a second dash: the upper half is not an address", table: "nat", chain: "OUTPUT", rule: "-p tcp -j DNAT --to-destination 1.1.1.1-2.2.2.2-3.3.3.3", packet: LOCAL,
      expect: { loadError: /Bad IP address "2\.2\.2\.2-3\.3\.3\.3"/ } },
    { name: "a range with an empty upper half", table: "nat", chain: "OUTPUT", rule: "-p tcp -j DNAT --to-destination 1.1.1.1-:80", packet: LOCAL, expect: { loadError: /Bad IP address ""/ } },
    { name: "a port range with a second dash", table: "nat", chain: "OUTPUT", rule: "-p tcp -j DNAT --to-destination 1.1.1.1-2.2.2.2:80-90-100", packet: LOCAL,
      expect: { loadError: /Garbage after port range: `-100'/ } },
  ]);
});
