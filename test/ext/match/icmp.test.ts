// -m icmp vectors: ICMP type and code (kernel: xt_tcpudp.c icmp_match / icmp_type_code_match:
// type 0xFF matches any type, a type without a code covers codes 0-255, invert flips the result).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const icmpIn = (type: number, code = 0) => `icmp 192.168.1.20 -> 192.168.1.88 in enp3s0 type ${type} code ${code}`;

describe("-m icmp", () => {
  vectors([
    { name: "echo-request is type 8", chain: "INPUT", rule: "-p icmp -m icmp --icmp-type 8 -j ACCEPT", packet: icmpIn(8), expect: "match" },
    { name: "the name echo-request", chain: "INPUT", rule: "-p icmp -m icmp --icmp-type echo-request -j ACCEPT", packet: icmpIn(8), expect: "match" },
    { name: "an echo-reply is not an echo-request", chain: "INPUT", rule: "-p icmp -m icmp --icmp-type 8 -j ACCEPT", packet: icmpIn(0),
      expect: { fail: "-m icmp --icmp-type 8", why: "type 0 code 0" } },
    { name: "a type alone covers every code: 3 code 13", chain: "INPUT", rule: "-p icmp -m icmp --icmp-type 3 -j ACCEPT", packet: icmpIn(3, 13), expect: "match" },
    { name: "type 3 code 255 is still type 3", chain: "INPUT", rule: "-p icmp -m icmp --icmp-type 3 -j ACCEPT", packet: icmpIn(3, 255), expect: "match" },
    { name: "type/code: port-unreachable is 3/3", chain: "INPUT", rule: "-p icmp -m icmp --icmp-type 3/3 -j ACCEPT", packet: icmpIn(3, 3), expect: "match" },
    { name: "type/code: host-unreachable (3/1) is not 3/3", chain: "INPUT", rule: "-p icmp -m icmp --icmp-type 3/3 -j ACCEPT", packet: icmpIn(3, 1),
      expect: { fail: "-m icmp --icmp-type 3/3", why: "type 3 code 1" } },
    { name: "the name port-unreachable names the code", chain: "INPUT", rule: "-p icmp -m icmp --icmp-type port-unreachable -j ACCEPT", packet: icmpIn(3, 4),
      expect: { fail: "-m icmp --icmp-type 3/3", why: "type 3 code 4" } },
    { name: "type 0 (echo-reply) is a real type, not 'unset'", chain: "INPUT", rule: "-p icmp -m icmp --icmp-type 0 -j ACCEPT", packet: icmpIn(0), expect: "match" },
    { name: "any matches every type", chain: "INPUT", rule: "-p icmp -m icmp --icmp-type any -j ACCEPT", packet: icmpIn(42, 7), expect: "match" },
    { name: "! any matches nothing", chain: "INPUT", rule: "-p icmp -m icmp ! --icmp-type any -j ACCEPT", packet: icmpIn(8),
      expect: { fail: "-m icmp ! --icmp-type any" } },
    { name: "negated: another type matches", chain: "INPUT", rule: "-p icmp -m icmp ! --icmp-type 8 -j ACCEPT", packet: icmpIn(0), expect: "match" },
    { name: "negated: the type itself misses", chain: "INPUT", rule: "-p icmp -m icmp ! --icmp-type 8 -j ACCEPT", packet: icmpIn(8),
      expect: { fail: "-m icmp ! --icmp-type 8", why: "type 8 code 0" } },
    { name: "negated type/code: the same type with another code matches", chain: "INPUT", rule: "-p icmp -m icmp ! --icmp-type 3/3 -j ACCEPT", packet: icmpIn(3, 1), expect: "match" },
    { name: "type 255 given as a number is any", chain: "INPUT", rule: "-p icmp -m icmp --icmp-type 255 -j ACCEPT", packet: icmpIn(11), expect: "match" },
    { name: "type 254 is only type 254", chain: "INPUT", rule: "-p icmp -m icmp --icmp-type 254 -j ACCEPT", packet: icmpIn(11), expect: { fail: "-m icmp --icmp-type 254" } },
    { name: "works in every hook: OUTPUT", chain: "OUTPUT", rule: "-p icmp -m icmp --icmp-type 8 -j ACCEPT", packet: "icmp 192.168.1.88 -> 192.168.1.20 type 8", expect: "match" },
    { name: "works in FORWARD", chain: "FORWARD", rule: "-p icmp -m icmp --icmp-type 11/0 -j ACCEPT", packet: "icmp 192.168.1.20 -> 10.42.54.194 in enp3s0 type 11 code 0", expect: "match" },
    { name: "needs -p icmp", chain: "INPUT", rule: "-m icmp --icmp-type 8 -j ACCEPT", packet: icmpIn(8), expect: { loadError: /icmp/ } },
  ]);
});
