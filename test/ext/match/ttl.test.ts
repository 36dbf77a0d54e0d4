// -m ttl vectors (kernel: xt_ttl.c ttl_mt — eq, ne (iptables' "! --ttl-eq"), lt, gt on the IP
// TTL as the hook sees it; ip_forward decrements the TTL before the FORWARD hook).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const ttl = (n: number) => `tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0 ttl ${n}`;
const fwd = (n: number) => `tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0 ttl ${n}`;

describe("-m ttl", () => {
  vectors([
    { name: "--ttl-eq matches", chain: "INPUT", rule: "-m ttl --ttl-eq 64 -j ACCEPT", packet: ttl(64), expect: "match" },
    { name: "--ttl-eq misses", chain: "INPUT", rule: "-m ttl --ttl-eq 64 -j ACCEPT", packet: ttl(63), expect: { fail: "-m ttl --ttl-eq 64", why: "ttl is 63" } },
    { name: "! --ttl-eq (ne) matches another TTL", chain: "INPUT", rule: "-m ttl ! --ttl-eq 64 -j ACCEPT", packet: ttl(63), expect: "match" },
    { name: "! --ttl-eq misses the TTL itself", chain: "INPUT", rule: "-m ttl ! --ttl-eq 64 -j ACCEPT", packet: ttl(64), expect: { fail: "-m ttl --ttl-eq 64", why: "ttl is 64" } },
    { name: "--ttl-lt is strict: 9 < 10", chain: "INPUT", rule: "-m ttl --ttl-lt 10 -j ACCEPT", packet: ttl(9), expect: "match" },
    { name: "--ttl-lt is strict: 10 is not < 10", chain: "INPUT", rule: "-m ttl --ttl-lt 10 -j ACCEPT", packet: ttl(10), expect: { fail: "-m ttl --ttl-lt 10", why: "ttl is 10" } },
    { name: "--ttl-gt is strict: 11 > 10", chain: "INPUT", rule: "-m ttl --ttl-gt 10 -j ACCEPT", packet: ttl(11), expect: "match" },
    { name: "--ttl-gt is strict: 10 is not > 10", chain: "INPUT", rule: "-m ttl --ttl-gt 10 -j ACCEPT", packet: ttl(10), expect: { fail: "-m ttl --ttl-gt 10" } },
    { name: "--ttl-eq 255", chain: "INPUT", rule: "-m ttl --ttl-eq 255 -j ACCEPT", packet: ttl(255), expect: "match" },
    { name: "--ttl-gt 254 holds only 255", chain: "INPUT", rule: "-m ttl --ttl-gt 254 -j ACCEPT", packet: ttl(255), expect: "match" },
    { name: "--ttl-lt 1 never holds for a delivered packet", chain: "INPUT", rule: "-m ttl --ttl-lt 1 -j ACCEPT", packet: ttl(1), expect: { fail: "-m ttl --ttl-lt 1", why: "ttl is 1" } },
    { name: "PREROUTING sees the TTL as it arrived", table: "raw", chain: "PREROUTING", rule: "-m ttl --ttl-eq 3", packet: fwd(3), expect: "match" },
    { name: "FORWARD sees it decremented", chain: "FORWARD", rule: "-m ttl --ttl-eq 2 -j ACCEPT", packet: fwd(3), expect: "match" },
    { name: "FORWARD: the arriving TTL no longer matches", chain: "FORWARD", rule: "-m ttl --ttl-eq 3 -j ACCEPT", packet: fwd(3), expect: { fail: "-m ttl --ttl-eq 3", why: "ttl is 2" } },
    { name: "OUTPUT sees the socket's TTL", chain: "OUTPUT", rule: "-m ttl --ttl-eq 64 -j ACCEPT", packet: "tcp 192.168.1.88:40000 -> 192.168.1.20:80", expect: "match" },
  ]);
});
