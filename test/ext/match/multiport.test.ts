// -m multiport vectors (kernel: xt_multiport.c multiport_mt / ports_match_v1 — a list of ports
// and ranges, inclusive; --ports tests source or destination; invert flips the whole list;
// checkentry wants tcp, udp, udplite, sctp or dccp, not negated).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const tcp = (sport: number, dport: number) => `tcp 192.168.1.20:${sport} -> 192.168.1.88:${dport} in enp3s0`;

describe("-m multiport", () => {
  vectors([
    { name: "--dports: one of the list", chain: "INPUT", rule: "-p tcp -m multiport --dports 22,80,443 -j ACCEPT", packet: tcp(5000, 80), expect: "match" },
    { name: "--dports: none of the list", chain: "INPUT", rule: "-p tcp -m multiport --dports 22,80,443 -j ACCEPT", packet: tcp(5000, 8080),
      expect: { fail: "-m multiport --dports 22,80,443", why: "dport is 8080" } },
    { name: "a range in the list, low end", chain: "INPUT", rule: "-p tcp -m multiport --dports 22,8000:8080 -j ACCEPT", packet: tcp(5000, 8000), expect: "match" },
    { name: "a range in the list, high end", chain: "INPUT", rule: "-p tcp -m multiport --dports 22,8000:8080 -j ACCEPT", packet: tcp(5000, 8080), expect: "match" },
    { name: "a range in the list, one past", chain: "INPUT", rule: "-p tcp -m multiport --dports 22,8000:8080 -j ACCEPT", packet: tcp(5000, 8081), expect: { fail: "-m multiport --dports 22,8000:8080" } },
    { name: "--sports", chain: "INPUT", rule: "-p tcp -m multiport --sports 5000,6000 -j ACCEPT", packet: tcp(6000, 22), expect: "match" },
    { name: "--sports misses", chain: "INPUT", rule: "-p tcp -m multiport --sports 5000,6000 -j ACCEPT", packet: tcp(7000, 22), expect: { fail: "-m multiport --sports 5000,6000", why: "sport is 7000" } },
    { name: "--ports: the source port is enough", chain: "INPUT", rule: "-p tcp -m multiport --ports 5000 -j ACCEPT", packet: tcp(5000, 22), expect: "match" },
    { name: "--ports: the destination port is enough", chain: "INPUT", rule: "-p tcp -m multiport --ports 22 -j ACCEPT", packet: tcp(5000, 22), expect: "match" },
    { name: "--ports: neither", chain: "INPUT", rule: "-p tcp -m multiport --ports 23,24 -j ACCEPT", packet: tcp(5000, 22), expect: { fail: "-m multiport --ports 23,24", why: "ports are 5000/22" } },
    { name: "ports 0 and 65535", chain: "INPUT", rule: "-p tcp -m multiport --sports 0,65535 -j ACCEPT", packet: tcp(65535, 22), expect: "match" },
    { name: "negated: in the list misses", chain: "INPUT", rule: "-p tcp -m multiport ! --dports 22,80 -j ACCEPT", packet: tcp(5000, 80), expect: { fail: "-m multiport ! --dports 22,80" } },
    { name: "negated: outside the list matches", chain: "INPUT", rule: "-p tcp -m multiport ! --dports 22,80 -j ACCEPT", packet: tcp(5000, 443), expect: "match" },
    { name: "udp too", chain: "INPUT", rule: "-p udp -m multiport --dports 53,123 -j ACCEPT", packet: "udp 192.168.1.20:5000 -> 192.168.1.88:123 in enp3s0", expect: "match" },
  ]);
});
