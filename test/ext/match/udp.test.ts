// -m udp vectors (kernel: xt_tcpudp.c udp_mt — source and destination port ranges, inclusive,
// each with its own invert).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const udp = (sport: number, dport: number) => `udp 192.168.1.20:${sport} -> 192.168.1.88:${dport} in enp3s0`;

describe("-m udp", () => {
  vectors([
    { name: "--dport matches", chain: "INPUT", rule: "-p udp -m udp --dport 53 -j ACCEPT", packet: udp(40000, 53), expect: "match" },
    { name: "--dport misses", chain: "INPUT", rule: "-p udp -m udp --dport 54 -j ACCEPT", packet: udp(40000, 53), expect: { fail: "-m udp --dport 54", why: "dport is 53" } },
    { name: "--sport range, low end", chain: "INPUT", rule: "-p udp -m udp --sport 40000:40010 -j ACCEPT", packet: udp(40000, 53), expect: "match" },
    { name: "--sport range, high end", chain: "INPUT", rule: "-p udp -m udp --sport 39990:40000 -j ACCEPT", packet: udp(40000, 53), expect: "match" },
    { name: "--sport range, one past", chain: "INPUT", rule: "-p udp -m udp --sport 40001:40010 -j ACCEPT", packet: udp(40000, 53), expect: { fail: "-m udp --sport 40001:40010", why: "sport is 40000" } },
    { name: "port 0", chain: "INPUT", rule: "-p udp -m udp --dport 0 -j ACCEPT", packet: udp(40000, 0), expect: "match" },
    { name: "port 65535", chain: "INPUT", rule: "-p udp -m udp --dport 65535 -j ACCEPT", packet: udp(40000, 65535), expect: "match" },
    { name: "negated: the port misses", chain: "INPUT", rule: "-p udp -m udp ! --dport 53 -j ACCEPT", packet: udp(40000, 53), expect: { fail: "-m udp ! --dport 53" } },
    { name: "negated range: outside matches", chain: "INPUT", rule: "-p udp -m udp ! --dport 1:52 -j ACCEPT", packet: udp(40000, 53), expect: "match" },
    { name: "both clauses must hold", chain: "INPUT", rule: "-p udp -m udp --sport 40000 --dport 54 -j ACCEPT", packet: udp(40000, 53), expect: { fail: "-m udp --dport 54" } },
    { name: "a forwarded DNS query", chain: "FORWARD", rule: "-p udp -m udp --dport 53 -j ACCEPT", packet: "udp 10.42.135.131:40000 -> 10.42.54.194:53 in cali5c2e8d1a0b7", expect: "match" },
    { name: "needs -p udp", chain: "INPUT", rule: "-m udp --dport 53 -j ACCEPT", packet: udp(40000, 53), expect: { loadError: /needs "-p udp"/ } },
  ]);
});
