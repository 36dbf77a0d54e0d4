// -m set vectors (kernel: xt_set.c set_match_v4 -> ip_set_test: membership of the packet's
// source or destination (per the src/dst flags) in the named set, ^ invert; the article node's
// Calico sets: cali40all-ipam-pools holds 10.42.0.0/16, cali40this-host the node's addresses).
// The set must exist when the rule is loaded (userspace: "Set … doesn't exist").
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const FROM_POD = "tcp 10.42.54.194:5000 -> 192.168.1.20:80 in vxlan.calico";
const FROM_LAN = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";

describe("-m set", () => {
  vectors([
    { name: "a source in a hash:net set", chain: "FORWARD", rule: "-m set --match-set cali40all-ipam-pools src -j ACCEPT", packet: FROM_POD, expect: "match" },
    { name: "a source outside it", chain: "INPUT", rule: "-m set --match-set cali40all-ipam-pools src -j ACCEPT", packet: FROM_LAN,
      expect: { fail: "-m set --match-set cali40all-ipam-pools src", why: "not a member" } },
    { name: "dst: the node's address is in cali40this-host", chain: "INPUT", rule: "-m set --match-set cali40this-host dst -j ACCEPT", packet: FROM_LAN, expect: "match" },
    { name: "dst: another host is not", chain: "FORWARD", rule: "-m set --match-set cali40this-host dst -j ACCEPT", packet: FROM_POD, expect: { fail: "-m set --match-set cali40this-host dst" } },
    { name: "src looks at the source only", chain: "INPUT", rule: "-m set --match-set cali40this-host src -j ACCEPT", packet: FROM_LAN, expect: { fail: "-m set --match-set cali40this-host src" } },
    { name: "the net's edges: 10.42.255.255 is in 10.42.0.0/16", table: "raw", chain: "PREROUTING", rule: "-m set --match-set cali40all-ipam-pools src", packet: "tcp 10.42.255.255:5000 -> 192.168.1.88:22 in vxlan.calico", expect: "match" },
    { name: "the net's edges: 10.43.0.0 is not", table: "raw", chain: "PREROUTING", rule: "-m set --match-set cali40all-ipam-pools src", packet: "tcp 10.43.0.0:5000 -> 192.168.1.88:22 in vxlan.calico",
      expect: { fail: "-m set --match-set cali40all-ipam-pools src" } },
    { name: "negated: a member misses", chain: "FORWARD", rule: "-m set ! --match-set cali40all-ipam-pools src -j ACCEPT", packet: FROM_POD, expect: { fail: "-m set ! --match-set cali40all-ipam-pools src", why: "member 10.42.0.0/16" } },
    { name: "negated: a non-member matches", chain: "INPUT", rule: "-m set ! --match-set cali40all-ipam-pools src -j ACCEPT", packet: FROM_LAN, expect: "match" },
    {
      name: "a set that does not exist is refused when the rule is loaded",
      chain: "INPUT",
      rule: "-m set --match-set no-such-set src -j ACCEPT",
      packet: FROM_LAN,
      // measured, iptables v1.8.9: iptables-restore stops at the rule with this message (exit 2)
      expect: { loadError: /Set no-such-set doesn't exist\./ },
    },
  ]);
});
