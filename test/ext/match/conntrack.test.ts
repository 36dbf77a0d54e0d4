// -m conntrack vectors (kernel: xt_conntrack.c conntrack_mt — state bits from ctinfo plus the
// SNAT/DNAT pseudo-states from the entry's status; without an entry the rule matches only if it
// tested --ctstate ("return info->match_flags & XT_CONNTRACK_STATE"); then direction, the
// original/reply tuples, protocol and ports, status and expiry, each with its own invert).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const SYN_OUT = "tcp 192.168.1.88:40000 -> 192.168.1.20:80";
const SYNACK_IN = "tcp 192.168.1.20:80 -> 192.168.1.88:40000 in enp3s0 flags SYN,ACK";
const ACK_OUT = "tcp 192.168.1.88:40000 -> 192.168.1.20:80 flags ACK";
const SVC_OUT = "tcp 192.168.1.88:40000 -> 10.43.0.10:80";
const DNAT = "*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -d 10.43.0.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 192.168.1.20:8080\nCOMMIT\n";
const SNAT = "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o enp3s0 -j SNAT --to-source 192.168.1.77\nCOMMIT\n";
const NOTRACK = "*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j CT --notrack\nCOMMIT\n";
const IN = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";

describe("-m conntrack", () => {
  vectors([
    { name: "--ctstate NEW on a first SYN", chain: "OUTPUT", rule: "-m conntrack --ctstate NEW -j ACCEPT", packet: SYN_OUT, expect: "match" },
    { name: "--ctstate ESTABLISHED misses it", chain: "OUTPUT", rule: "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", packet: SYN_OUT,
      expect: { fail: "-m conntrack --ctstate RELATED,ESTABLISHED", why: "ctstate is NEW" } },
    { name: "the answer is ESTABLISHED", chain: "INPUT", rule: "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", before: [`send ${SYN_OUT}`], packet: SYNACK_IN, expect: "match" },
    { name: "! --ctstate NEW misses a NEW packet", chain: "OUTPUT", rule: "-m conntrack ! --ctstate NEW -j ACCEPT", packet: SYN_OUT, expect: { fail: "-m conntrack ! --ctstate NEW", why: "ctstate is NEW" } },
    { name: "SYN+FIN is INVALID", chain: "INPUT", rule: "-m conntrack --ctstate INVALID -j DROP", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0 flags SYN,FIN", expect: "match" },
    { name: "a NOTRACK'd packet is UNTRACKED", chain: "INPUT", rule: "-m conntrack --ctstate UNTRACKED -j ACCEPT", extra: NOTRACK, packet: IN, expect: "match" },
    { name: "--ctstate DNAT after a DNAT", chain: "OUTPUT", rule: "-m conntrack --ctstate DNAT -j ACCEPT", extra: DNAT, packet: SVC_OUT, expect: "match" },
    { name: "a connection nobody NATed is not DNAT", chain: "OUTPUT", rule: "-m conntrack --ctstate DNAT -j ACCEPT", extra: DNAT, packet: SYN_OUT, expect: { fail: "-m conntrack --ctstate DNAT", why: "ctstate is NEW" } },
    { name: "--ctstate SNAT on the answer to a SNATed connection", chain: "INPUT", rule: "-m conntrack --ctstate SNAT -j ACCEPT", extra: SNAT,
      before: [`send ${SYN_OUT}`], packet: "tcp 192.168.1.20:80 -> 192.168.1.77:40000 in enp3s0 flags SYN,ACK", expect: "match" },
    { name: "--ctorigdst is the address before DNAT", chain: "OUTPUT", rule: "-m conntrack --ctorigdst 10.43.0.10 -j ACCEPT", extra: DNAT, packet: SVC_OUT, expect: "match" },
    { name: "--ctorigdst: the new destination is not the original", chain: "OUTPUT", rule: "-m conntrack --ctorigdst 192.168.1.20 -j ACCEPT", extra: DNAT, packet: SVC_OUT,
      expect: { fail: "-m conntrack --ctorigdst 192.168.1.20/32", why: "it is 10.43.0.10" } },
    { name: "--ctreplsrc is the endpoint DNAT chose", chain: "OUTPUT", rule: "-m conntrack --ctreplsrc 192.168.1.0/24 -j ACCEPT", extra: DNAT, packet: SVC_OUT, expect: "match" },
    { name: "! --ctorigsrc: the node's own address misses", chain: "OUTPUT", rule: "-m conntrack ! --ctorigsrc 192.168.1.88 -j ACCEPT", packet: SYN_OUT, expect: { fail: "-m conntrack ! --ctorigsrc 192.168.1.88/32" } },
    { name: "--ctrepldst is the original source", chain: "OUTPUT", rule: "-m conntrack --ctrepldst 192.168.1.88 -j ACCEPT", packet: SYN_OUT, expect: "match" },
    { name: "--ctorigdstport before DNAT, --ctreplsrcport after", chain: "OUTPUT", rule: "-m conntrack --ctorigdstport 80 --ctreplsrcport 8080 -j ACCEPT", extra: DNAT, packet: SVC_OUT, expect: "match" },
    { name: "--ctorigsrcport range ends", chain: "OUTPUT", rule: "-m conntrack --ctorigsrcport 39000:40000 -j ACCEPT", packet: SYN_OUT, expect: "match" },
    { name: "--ctrepldstport misses", chain: "OUTPUT", rule: "-m conntrack --ctrepldstport 40001 -j ACCEPT", packet: SYN_OUT, expect: { fail: "-m conntrack --ctrepldstport 40001", why: "it is 40000" } },
    { name: "--ctproto 6", chain: "OUTPUT", rule: "-m conntrack --ctproto 6 -j ACCEPT", packet: SYN_OUT, expect: "match" },
    { name: "--ctproto 17 misses a TCP connection", chain: "OUTPUT", rule: "-m conntrack --ctproto 17 -j ACCEPT", packet: SYN_OUT, expect: { fail: "-m conntrack --ctproto 17", why: "connection is tcp" } },
    { name: "--ctdir ORIGINAL on the first packet", chain: "OUTPUT", rule: "-m conntrack --ctdir ORIGINAL -j ACCEPT", packet: SYN_OUT, expect: "match" },
    { name: "--ctdir REPLY on the answer", chain: "INPUT", rule: "-m conntrack --ctdir REPLY -j ACCEPT", before: [`send ${SYN_OUT}`], packet: SYNACK_IN, expect: "match" },
    { name: "--ctdir REPLY misses the first packet", chain: "OUTPUT", rule: "-m conntrack --ctdir REPLY -j ACCEPT", packet: SYN_OUT,
      expect: { fail: "-m conntrack --ctdir REPLY", why: "packet is in the ORIGINAL direction" } },
    { name: "--ctstatus SEEN_REPLY misses before any answer", chain: "OUTPUT", rule: "-m conntrack --ctstatus SEEN_REPLY -j ACCEPT", packet: SYN_OUT, expect: { fail: "-m conntrack --ctstatus SEEN_REPLY" } },
    { name: "--ctstatus SEEN_REPLY after the answer", chain: "OUTPUT", rule: "-m conntrack --ctstatus SEEN_REPLY -j ACCEPT", before: [`send ${SYN_OUT}`, `send ${SYNACK_IN}`], packet: ACK_OUT, expect: "match" },
    { name: "--ctstatus NONE never matches (status & 0)", chain: "OUTPUT", rule: "-m conntrack --ctstatus NONE -j ACCEPT", packet: SYN_OUT, expect: { fail: "-m conntrack --ctstatus NONE" } },
    // (on confirmed entries: before confirmation the kernel's ct->timeout is still relative)
    { name: "--ctexpire: the SYN-ACK leaves SYN_RECV's 60 s", chain: "INPUT", rule: "-m conntrack --ctexpire 50:60 -j ACCEPT", before: [`send ${SYN_OUT}`], packet: SYNACK_IN, expect: "match" },
    { name: "--ctexpire: an ESTABLISHED entry (5 days) is past 0:65535", chain: "OUTPUT", rule: "-m conntrack --ctexpire 0:65535 -j ACCEPT",
      before: [`send ${SYN_OUT}`, `send ${SYNACK_IN}`], packet: ACK_OUT, expect: { fail: "-m conntrack --ctexpire 0:65535", why: "expires in 432000s" } },
    { name: "negated --ctexpire", chain: "OUTPUT", rule: "-m conntrack ! --ctexpire 0:65535 -j ACCEPT", before: [`send ${SYN_OUT}`, `send ${SYNACK_IN}`], packet: ACK_OUT, expect: "match" },
    { name: "no entry: --ctstate alone decides", chain: "INPUT", rule: "-m conntrack --ctstate UNTRACKED --ctproto 17 -j ACCEPT", extra: NOTRACK, packet: IN, expect: "match" },
    {
      name: "no entry and no --ctstate: never a match",
      chain: "INPUT",
      rule: "-m conntrack --ctproto 6 -j ACCEPT",
      extra: NOTRACK,
      packet: IN,
      expect: { fail: "-m conntrack --ctproto 6" },
      // measured: with no entry a rule without --ctstate never matched
    },
    {
      name: "no entry: a negated tuple clause does not match either",
      chain: "INPUT",
      rule: "-m conntrack ! --ctorigsrc 10.0.0.0/8 -j ACCEPT",
      extra: NOTRACK,
      packet: IN,
      expect: { fail: "-m conntrack ! --ctorigsrc 10.0.0.0/8" },
      // measured: ! --ctorigdst on a packet with no entry did not match
    },
  ]);
});
