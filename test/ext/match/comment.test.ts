// -m comment vectors (kernel: xt_comment.c comment_mt returns true: a comment never changes
// what a rule matches).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const IN = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";

describe("-m comment", () => {
  vectors([
    { name: "always matches", chain: "INPUT", rule: '-m comment --comment "kubernetes service portals" -j ACCEPT', packet: IN, expect: "match" },
    { name: "the rule's other clauses still decide", chain: "INPUT", rule: '-p tcp -m comment --comment "ssh" -m tcp --dport 23 -j ACCEPT', packet: IN, expect: { fail: "-m tcp --dport 23" } },
    { name: "a 255-character comment", chain: "INPUT", rule: `-m comment --comment "${"x".repeat(255)}" -j ACCEPT`, packet: IN, expect: "match" },
    { name: "in every hook: nat OUTPUT (kube-proxy's chains)", table: "nat", chain: "OUTPUT", rule: '-m comment --comment "kubernetes service portals" -m conntrack --ctstate NEW', packet: "tcp 192.168.1.88:40000 -> 10.43.0.10:80", expect: "match" },
  ]);
});
