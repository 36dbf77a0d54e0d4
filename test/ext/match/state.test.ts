// -m state vectors: the packet's conntrack state (kernel: xt_state.c state_mt — statemask &
// XT_STATE_BIT(ctinfo), UNTRACKED for a NOTRACK'd packet, INVALID without an entry; "!" is done
// by iptables, which inverts the mask).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const SYN_OUT = "tcp 192.168.1.88:40000 -> 192.168.1.20:80";
const SYNACK_IN = "tcp 192.168.1.20:80 -> 192.168.1.88:40000 in enp3s0 flags SYN,ACK";
const NOTRACK = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 22 -j CT --notrack\nCOMMIT\n";

describe("-m state", () => {
  vectors([
    { name: "a first SYN is NEW", chain: "OUTPUT", rule: "-m state --state NEW -j ACCEPT", packet: SYN_OUT, expect: "match" },
    { name: "a first SYN is not ESTABLISHED", chain: "OUTPUT", rule: "-m state --state RELATED,ESTABLISHED -j ACCEPT", packet: SYN_OUT,
      expect: { fail: "-m state --state RELATED,ESTABLISHED", why: "state is NEW" } },
    { name: "the answer is ESTABLISHED", chain: "INPUT", rule: "-m state --state RELATED,ESTABLISHED -j ACCEPT", packet: SYNACK_IN, before: [`send ${SYN_OUT}`], expect: "match" },
    { name: "the answer is not NEW", chain: "INPUT", rule: "-m state --state NEW -j ACCEPT", packet: SYNACK_IN, before: [`send ${SYN_OUT}`],
      expect: { fail: "-m state --state NEW", why: "state is ESTABLISHED" } },
    { name: "the second packet of the client is ESTABLISHED too", chain: "OUTPUT", rule: "-m state --state ESTABLISHED -j ACCEPT",
      packet: "tcp 192.168.1.88:40000 -> 192.168.1.20:80 flags ACK", before: [`send ${SYN_OUT}`, `send ${SYNACK_IN}`], expect: "match" },
    { name: "SYN+FIN is INVALID", chain: "INPUT", rule: "-m state --state INVALID -j DROP", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0 flags SYN,FIN", expect: "match" },
    { name: "an INVALID packet is not NEW", chain: "INPUT", rule: "-m state --state NEW -j ACCEPT", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0 flags SYN,FIN",
      expect: { fail: "-m state --state NEW", why: "state is INVALID" } },
    { name: "a NOTRACK'd packet is UNTRACKED", chain: "INPUT", rule: "-m state --state UNTRACKED -j ACCEPT", extra: NOTRACK, packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: "match" },
    { name: "UNTRACKED is none of the other states", chain: "INPUT", rule: "-m state --state INVALID,NEW,RELATED,ESTABLISHED -j ACCEPT", extra: NOTRACK,
      packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: { fail: "-m state --state INVALID,NEW,RELATED,ESTABLISHED", why: "state is UNTRACKED" } },
    { name: "negated: ! NEW misses a NEW packet", chain: "OUTPUT", rule: "-m state ! --state NEW -j ACCEPT", packet: SYN_OUT, expect: { fail: "-m state ! --state NEW", why: "state is NEW" } },
    { name: "negated: ! NEW matches an ESTABLISHED one", chain: "INPUT", rule: "-m state ! --state NEW -j ACCEPT", packet: SYNACK_IN, before: [`send ${SYN_OUT}`], expect: "match" },
    { name: "negated: ! INVALID matches an UNTRACKED packet", chain: "INPUT", rule: "-m state ! --state INVALID -j ACCEPT", extra: NOTRACK, packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: "match" },
    { name: "in PREROUTING, a forwarded SYN is NEW", table: "mangle", chain: "PREROUTING", rule: "-m state --state NEW", packet: "tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0", expect: "match" },
  ]);
});
