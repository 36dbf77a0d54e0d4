// -m length vectors: the IP total length, both ends inclusive (kernel: xt_length.c length_mt —
// (pktlen >= min && pktlen <= max) ^ invert).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const tcpLen = (len: number) => `tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0 flags ACK len ${len}`;

describe("-m length", () => {
  vectors([
    { name: "a single length matches only itself", chain: "INPUT", rule: "-m length --length 100 -j ACCEPT", packet: tcpLen(100), expect: "match" },
    { name: "one more misses", chain: "INPUT", rule: "-m length --length 100 -j ACCEPT", packet: tcpLen(101), expect: { fail: "-m length --length 100", why: "length is 101" } },
    { name: "a range's lower end is in it", chain: "INPUT", rule: "-m length --length 100:200 -j ACCEPT", packet: tcpLen(100), expect: "match" },
    { name: "a range's upper end is in it", chain: "INPUT", rule: "-m length --length 100:200 -j ACCEPT", packet: tcpLen(200), expect: "match" },
    { name: "below the range", chain: "INPUT", rule: "-m length --length 100:200 -j ACCEPT", packet: tcpLen(99), expect: { fail: "-m length --length 100:200", why: "length is 99" } },
    { name: "above the range", chain: "INPUT", rule: "-m length --length 100:200 -j ACCEPT", packet: tcpLen(201), expect: { fail: "-m length --length 100:200", why: "length is 201" } },
    { name: "0:65535 holds the largest packet", chain: "INPUT", rule: "-m length --length 0:65535 -j ACCEPT", packet: tcpLen(65535), expect: "match" },
    { name: "the smallest TCP packet (40)", chain: "INPUT", rule: "-m length --length 0:40 -j ACCEPT", packet: tcpLen(40), expect: "match" },
    { name: "the default SYN is 60 bytes", chain: "INPUT", rule: "-m length --length 60 -j ACCEPT", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: "match" },
    { name: "negated: inside misses", chain: "INPUT", rule: "-m length ! --length 100:200 -j ACCEPT", packet: tcpLen(150), expect: { fail: "-m length --length 100:200", why: "length is 150" } },
    { name: "negated: outside matches", chain: "INPUT", rule: "-m length ! --length 100:200 -j ACCEPT", packet: tcpLen(201), expect: "match" },
    { name: "a forwarded packet's length", chain: "FORWARD", rule: "-m length --length 1400:1500 -j ACCEPT", packet: "tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0 flags ACK len 1400", expect: "match" },
    { name: "any hook: OUTPUT", chain: "OUTPUT", rule: "-m length --length 28:84 -j ACCEPT", packet: "icmp 192.168.1.88 -> 192.168.1.20", expect: "match" },
  ]);
});
