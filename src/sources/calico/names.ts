/**
 * Calico's (felix's) chain names, decoded for people: `cali-fw-cali1234` is the policy for traffic
 * from that workload interface.
 *
 * Why: the article's node runs Calico, and its cali-* chains sit in every walk; as kube-proxy's
 * names are decoded in sources/k8s/names.ts, Calico's are decoded here.
 */

/** Calico's chain families by their prefixes (felix names them this way). */
export function describeCalicoChain(name: string): string | undefined {
  const fixed: Record<string, string> = {
    "cali-PREROUTING": "Calico's PREROUTING entry chain",
    "cali-INPUT": "Calico's INPUT entry chain: traffic to the host, from workloads or host endpoints",
    "cali-OUTPUT": "Calico's OUTPUT entry chain: traffic the host sends",
    "cali-FORWARD": "Calico's FORWARD entry chain: workload-to-workload and routed traffic",
    "cali-POSTROUTING": "Calico's POSTROUTING entry chain (SNAT for floating IPs and natOutgoing pools)",
    "cali-nat-outgoing": "Calico's natOutgoing: masquerades pod traffic leaving the IP pools",
    "cali-fip-dnat": "Calico's floating-IP DNAT chain",
    "cali-fip-snat": "Calico's floating-IP SNAT chain",
    "cali-to-host-endpoint": "Calico's host endpoint policy, egress",
    "cali-from-host-endpoint": "Calico's host endpoint policy, ingress",
    "cali-wl-to-host": "Calico's policy for workload traffic to the host",
    "cali-from-wl-dispatch": "Calico's dispatch of traffic from workload interfaces",
    "cali-to-wl-dispatch": "Calico's dispatch of traffic to workload interfaces",
    "cali-rpf-skip": "Calico's exceptions to its reverse-path check",
  };
  if (fixed[name]) return `${name} = ${fixed[name]}`;
  if (name.startsWith("cali-fw-")) return `${name} = Calico's policy chain for traffic from workload interface ${name.slice(8)}`;
  if (name.startsWith("cali-tw-")) return `${name} = Calico's policy chain for traffic to workload interface ${name.slice(8)}`;
  if (name.startsWith("cali-")) return `${name} = a Calico (felix) chain`;
  return undefined;
}
