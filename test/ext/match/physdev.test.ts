// -m physdev vectors: bridge ports (kernel: xt_physdev.c physdev_mt, physdev_mt_check). ktrace
// models no bridges, so every packet takes the kernel's "not bridged" branch: a clause matches
// only when negated, and a rule matches only when all its clauses are negated.
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const FWD = "tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0";
const LOCAL = "tcp 192.168.1.88:40000 -> 192.168.1.20:80";
const NOT_BRIDGED = "packet was not bridged (ktrace models no bridges)";

describe("-m physdev", () => {
  vectors([
    { name: "--physdev-is-bridged misses an unbridged packet", chain: "FORWARD", rule: "-m physdev --physdev-is-bridged -j ACCEPT", packet: FWD, expect: { fail: "-m physdev", why: NOT_BRIDGED } },
    { name: "! --physdev-is-bridged matches it", chain: "FORWARD", rule: "-m physdev ! --physdev-is-bridged -j ACCEPT", packet: FWD, expect: "match" },
    { name: "--physdev-in misses", chain: "FORWARD", rule: "-m physdev --physdev-in eth0 -j ACCEPT", packet: FWD, expect: { fail: "-m physdev", why: NOT_BRIDGED } },
    { name: "! --physdev-in matches", chain: "FORWARD", rule: "-m physdev ! --physdev-in eth0 -j ACCEPT", packet: FWD, expect: "match" },
    { name: "--physdev-in with a wildcard misses too", table: "raw", chain: "PREROUTING", rule: "-m physdev --physdev-in enp+", packet: FWD, expect: { fail: "-m physdev" } },
    { name: "--physdev-out misses", chain: "FORWARD", rule: "-m physdev --physdev-out veth1 --physdev-is-bridged -j ACCEPT", packet: FWD, expect: { fail: "-m physdev" } },
    { name: "! --physdev-out matches in POSTROUTING", table: "mangle", chain: "POSTROUTING", rule: "-m physdev ! --physdev-out veth1", packet: FWD, expect: "match" },
    { name: "--physdev-is-in misses, negated matches", chain: "INPUT", rule: "-m physdev ! --physdev-is-in -j ACCEPT", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: "match" },
    { name: "--physdev-is-in misses", chain: "INPUT", rule: "-m physdev --physdev-is-in -j ACCEPT", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: { fail: "-m physdev" } },
    { name: "--physdev-is-out misses", chain: "FORWARD", rule: "-m physdev --physdev-is-out --physdev-is-bridged -j ACCEPT", packet: FWD, expect: { fail: "-m physdev" } },
    { name: "one plain clause among negated ones misses", chain: "FORWARD", rule: "-m physdev ! --physdev-in eth0 --physdev-is-bridged -j ACCEPT", packet: FWD, expect: { fail: "-m physdev" } },
    { name: "all clauses negated: matches", chain: "FORWARD", rule: "-m physdev ! --physdev-in eth0 ! --physdev-is-in ! --physdev-is-bridged -j ACCEPT", packet: FWD, expect: "match" },
    { name: "OUTPUT: ! --physdev-is-bridged matches a local packet", chain: "OUTPUT", rule: "-m physdev ! --physdev-is-bridged -j ACCEPT", packet: LOCAL, expect: "match" },
    {
      name: "--physdev-out in OUTPUT without --physdev-is-bridged is refused",
      chain: "OUTPUT",
      rule: "-m physdev --physdev-out veth1 -j ACCEPT",
      packet: LOCAL,
      expect: { loadError: /RULE_APPEND failed \(Invalid argument\)/ },
      // measured with iptables-nft-restore: RULE_APPEND failed (Invalid argument)
    },
    {
      name: "--physdev-is-out in OUTPUT is refused",
      chain: "OUTPUT",
      rule: "-m physdev --physdev-is-out -j ACCEPT",
      packet: LOCAL,
      expect: { loadError: /RULE_APPEND failed \(Invalid argument\)/ },
      // measured with iptables-nft-restore: RULE_APPEND failed (Invalid argument)
    },
    // measured: the same clause loads in FORWARD (a routed packet is simply not bridged) and in
    // OUTPUT when the rule also says the packet is bridged
    { name: "--physdev-out in FORWARD without --physdev-is-bridged loads, and misses", chain: "FORWARD", rule: "-m physdev --physdev-out veth1 -j ACCEPT", packet: FWD, expect: { fail: "-m physdev" } },
    { name: "--physdev-out in OUTPUT with --physdev-is-bridged loads, and misses", chain: "OUTPUT", rule: "-m physdev --physdev-out veth1 --physdev-is-bridged -j ACCEPT", packet: LOCAL, expect: { fail: "-m physdev" } },
    { name: "--physdev-out in OUTPUT with ! --physdev-is-bridged is refused", chain: "OUTPUT", rule: "-m physdev --physdev-out veth1 ! --physdev-is-bridged -j ACCEPT", packet: LOCAL, expect: { loadError: /RULE_APPEND failed \(Invalid argument\)/ } },
  ]);
});
