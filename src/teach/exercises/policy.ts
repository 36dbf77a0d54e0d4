/**
 * A small network-policy chain in filter FORWARD, as a CNI's policy rules look to a learner:
 * ACCEPT rules for some sources and ports, DROP and REJECT rules for others.
 *
 * Why: "which rule drops it?" and "which rule would you change?" need a ruleset where traffic is
 * refused for a reason a learner can find by reading rules; kube-proxy's own rules only refuse
 * Services without endpoints. The chain is added with ordinary iptables commands, so the learner
 * sees exactly how it was made and can change it in the REPL.
 */
import type { Dice } from "./cluster.js";

export const POLICY_CHAIN = "NETPOL";

/** Sources a rule may name: the client's own network, the pod network, others. */
export function sourceChoices(clientIp: string): string[] {
  const [a, b, c] = clientIp.split(".");
  return [`${a}.${b}.${c}.0/24`, `${clientIp}/32`, "10.42.0.0/16", "172.16.0.0/12", "192.168.7.0/24", "10.42.217.64/26"];
}

/** Ports a rule may name: the packet's own and some others. */
export function portChoices(port: number): number[] {
  return [port, 22, 53, 443, 5432, 6379, 8443, 9090].filter((p, i, xs) => xs.indexOf(p) === i);
}

/** The iptables commands that create the chain, hook it first into FORWARD and fill it. */
export function policyCommands(rules: string[]): string[] {
  return [`iptables -N ${POLICY_CHAIN}`, `iptables -I FORWARD 1 -j ${POLICY_CHAIN}`, ...rules.map((r) => `iptables -A ${POLICY_CHAIN} ${r}`)];
}

/** A random refusing or accepting rule about tcp to `port` from around `clientIp`. */
export function randomPolicyRule(d: Dice, clientIp: string, port: number): string {
  const src = d.pick(sourceChoices(clientIp));
  const p = d.pick(portChoices(port));
  switch (d.int(5)) {
    case 0:
      return `-s ${src} -p tcp -m tcp --dport ${p} -j ACCEPT`;
    case 1:
      return `-s ${src} -p tcp -m tcp --dport ${p} -j DROP`;
    case 2:
      return `-p tcp -m tcp --dport ${p} -j REJECT --reject-with icmp-port-unreachable`;
    case 3:
      return `-s ${src} -j DROP`;
    default:
      return `-p udp -m udp --dport ${p} -j DROP`;
  }
}
