// -m tcp vectors (kernel: xt_tcpudp.c tcp_mt — ports inclusive with invert per clause, flags
// byte 13 & mask == cmp, tcp_find_option over the option kinds; --syn is SYN,RST,ACK,FIN SYN).
// iptables-nft drops a port clause covering 0:65535 (measured; util.ts fullRangeDropped).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const syn = (sport: number, dport: number) => `tcp 192.168.1.20:${sport} -> 192.168.1.88:${dport} in enp3s0`;
const withFlags = (flags: string) => `tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0 flags ${flags}`;

describe("-m tcp", () => {
  vectors([
    { name: "--dport matches", chain: "INPUT", rule: "-p tcp -m tcp --dport 22 -j ACCEPT", packet: syn(5000, 22), expect: "match" },
    { name: "--dport misses", chain: "INPUT", rule: "-p tcp -m tcp --dport 23 -j ACCEPT", packet: syn(5000, 22), expect: { fail: "-m tcp --dport 23", why: "dport is 22" } },
    { name: "--sport matches", chain: "INPUT", rule: "-p tcp -m tcp --sport 5000 -j ACCEPT", packet: syn(5000, 22), expect: "match" },
    { name: "--sport misses", chain: "INPUT", rule: "-p tcp -m tcp --sport 5001 -j ACCEPT", packet: syn(5000, 22), expect: { fail: "-m tcp --sport 5001", why: "sport is 5000" } },
    { name: "a range's ends are in it (low)", chain: "INPUT", rule: "-p tcp -m tcp --dport 22:25 -j ACCEPT", packet: syn(5000, 22), expect: "match" },
    { name: "a range's ends are in it (high)", chain: "INPUT", rule: "-p tcp -m tcp --dport 20:22 -j ACCEPT", packet: syn(5000, 22), expect: "match" },
    { name: "just above a range", chain: "INPUT", rule: "-p tcp -m tcp --dport 20:21 -j ACCEPT", packet: syn(5000, 22), expect: { fail: "-m tcp --dport 20:21" } },
    { name: "port 0 is a port", chain: "INPUT", rule: "-p tcp -m tcp --sport 0 -j ACCEPT", packet: syn(0, 22), expect: "match" },
    { name: "port 65535 is a port", chain: "INPUT", rule: "-p tcp -m tcp --sport 65535 -j ACCEPT", packet: syn(65535, 22), expect: "match" },
    { name: ":1023 starts at 0", chain: "INPUT", rule: "-p tcp -m tcp --sport :1023 -j ACCEPT", packet: syn(0, 22), expect: "match" },
    { name: "1024: ends at 65535", chain: "INPUT", rule: "-p tcp -m tcp --sport 1024: -j ACCEPT", packet: syn(65535, 22), expect: "match" },
    { name: "1024: misses 1023", chain: "INPUT", rule: "-p tcp -m tcp --sport 1024: -j ACCEPT", packet: syn(1023, 22), expect: { fail: "-m tcp --sport 1024:65535", why: "sport is 1023" } },
    { name: "! 0:65535 is dropped by iptables-nft: the rule matches everything", chain: "INPUT", rule: "-p tcp -m tcp ! --dport 0:65535 -j ACCEPT", packet: syn(5000, 22), expect: "match" },
    { name: "negated --dport: the port misses", chain: "INPUT", rule: "-p tcp -m tcp ! --dport 22 -j ACCEPT", packet: syn(5000, 22), expect: { fail: "-m tcp ! --dport 22", why: "dport is 22" } },
    { name: "negated --dport: another port matches", chain: "INPUT", rule: "-p tcp -m tcp ! --dport 23 -j ACCEPT", packet: syn(5000, 22), expect: "match" },
    { name: "a service name", chain: "INPUT", rule: "-p tcp -m tcp --dport ssh -j ACCEPT", packet: syn(5000, 22), expect: "match" },
    { name: "--syn matches a SYN", chain: "INPUT", rule: "-p tcp -m tcp --syn -j ACCEPT", packet: withFlags("SYN"), expect: "match" },
    { name: "--syn misses a SYN,ACK", chain: "INPUT", rule: "-p tcp -m tcp --syn -j ACCEPT", packet: withFlags("SYN,ACK"), expect: { fail: "-m tcp --tcp-flags FIN,SYN,RST,ACK SYN", why: "flags are SYN,ACK" } },
    { name: "--syn ignores PSH and URG", chain: "INPUT", rule: "-p tcp -m tcp --syn -j ACCEPT", packet: withFlags("SYN,PSH,URG"), expect: "match" },
    { name: "! --syn matches an ACK", chain: "INPUT", rule: "-p tcp -m tcp ! --syn -j ACCEPT", packet: withFlags("ACK"), expect: "match" },
    { name: "--tcp-flags ALL NONE: a null scan", chain: "INPUT", rule: "-p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE -j DROP", packet: withFlags("ECE"), expect: "match" },
    { name: "--tcp-flags SYN,RST SYN,RST", chain: "INPUT", rule: "-p tcp -m tcp --tcp-flags SYN,RST SYN,RST -j DROP", packet: withFlags("SYN,RST"), expect: "match" },
    { name: "--tcp-flags checks only the mask's bits", chain: "INPUT", rule: "-p tcp -m tcp --tcp-flags RST RST -j DROP", packet: withFlags("RST,ACK"), expect: "match" },
    { name: "--tcp-flags misses", chain: "INPUT", rule: "-p tcp -m tcp --tcp-flags RST RST -j DROP", packet: withFlags("ACK"), expect: { fail: "-m tcp --tcp-flags RST RST", why: "flags are ACK" } },
    { name: "--tcp-option 2 (MSS) on a Linux SYN", chain: "INPUT", rule: "-p tcp -m tcp --tcp-option 2 -j ACCEPT", packet: syn(5000, 22), expect: "match" },
    { name: "--tcp-option 2 misses a later segment (NOP, timestamps)", chain: "INPUT", rule: "-p tcp -m tcp --tcp-option 2 -j ACCEPT", packet: withFlags("ACK"),
      expect: { fail: "-m tcp --tcp-option 2", why: "options are 1,8" } },
    { name: "! --tcp-option 3 on a segment without window scale", chain: "INPUT", rule: "-p tcp -m tcp ! --tcp-option 3 -j ACCEPT", packet: withFlags("ACK"), expect: "match" },
    { name: "ports and flags together: ports first", chain: "INPUT", rule: "-p tcp -m tcp --dport 80 --syn -j ACCEPT", packet: withFlags("ACK"), expect: { fail: "-m tcp --dport 80" } },
    { name: "a UDP packet misses -p tcp before -m tcp", chain: "INPUT", rule: "-p tcp -m tcp --dport 53 -j ACCEPT", packet: "udp 192.168.1.20:5000 -> 192.168.1.88:53 in enp3s0", expect: { fail: "-p tcp", why: "protocol is udp" } },
  ]);
});
