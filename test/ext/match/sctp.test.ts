// -m sctp vectors (kernel: xt_sctp.c sctp_mt — source and destination port ranges with invert;
// ktrace models the port clauses, not chunk types).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const sctp = (sport: number, dport: number) => `sctp 192.168.1.20:${sport} -> 192.168.1.88:${dport} in enp3s0`;

describe("-m sctp", () => {
  vectors([
    { name: "--dport matches", chain: "INPUT", rule: "-p sctp -m sctp --dport 38412 -j ACCEPT", packet: sctp(5000, 38412), expect: "match" },
    { name: "--dport misses", chain: "INPUT", rule: "-p sctp -m sctp --dport 38413 -j ACCEPT", packet: sctp(5000, 38412), expect: { fail: "-m sctp --dport 38413", why: "dport is 38412" } },
    { name: "--sport range ends", chain: "INPUT", rule: "-p sctp -m sctp --sport 5000:5001 -j ACCEPT", packet: sctp(5001, 1), expect: "match" },
    { name: "negated --sport", chain: "INPUT", rule: "-p sctp -m sctp ! --sport 5000 -j ACCEPT", packet: sctp(5000, 1), expect: { fail: "-m sctp ! --sport 5000", why: "sport is 5000" } },
    { name: "port 65535", chain: "INPUT", rule: "-p sctp -m sctp --dport 65535 -j ACCEPT", packet: sctp(5000, 65535), expect: "match" },
    { name: "a TCP packet misses -p sctp", chain: "INPUT", rule: "-p sctp -m sctp --dport 22 -j ACCEPT", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: { fail: "-p sctp", why: "protocol is tcp" } },
    { name: "needs -p sctp", chain: "INPUT", rule: "-m sctp --dport 22 -j ACCEPT", packet: sctp(5000, 22), expect: { loadError: /needs "-p sctp"/ } },
  ]);
});
