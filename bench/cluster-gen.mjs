// A kube-proxy-shaped ruleset of S Services × E endpoints, made by ktrace's own kube-proxy
// generator (src/sources/k8s, kube-proxy v1.28 iptables mode) from Service and EndpointSlice
// objects built here: ClusterIPs, with NodePorts, externalTrafficPolicy Local, ClientIP affinity
// and Services without endpoints (REJECT) mixed in.
//   node bench/cluster-gen.mjs S E > big.rules     (after npm run build)
import { syncProxyRules } from "../dist/sources/k8s/proxier.js";

export const NODE = "node-a";

/** The i-th Service's ClusterIP (10.96.0.0/12 keeps 30k+ addresses distinct). */
export const clusterIp = (i) => `10.${96 + ((i >> 16) & 15)}.${(i >> 8) & 255}.${i & 255}`;

export function clusterObjects(S, E) {
  const services = [], slices = [];
  for (let i = 0; i < S; i++) {
    const ns = `ns-${i % 50}`, name = `svc-${i}`;
    const nodePort = i % 10 === 3 ? 30000 + (i % 2700) : 0;
    services.push({
      ns, name, type: nodePort ? "NodePort" : "ClusterIP", clusterIP: clusterIp(i),
      ports: [{ name: "http", protocol: "TCP", port: 80, nodePort }],
      externalIPs: [], loadBalancerIPs: [], sourceRanges: [],
      externalTrafficPolicy: nodePort && i % 20 === 3 ? "Local" : "Cluster", internalTrafficPolicy: "Cluster",
      affinityTimeout: i % 25 === 7 ? 10800 : undefined, healthCheckNodePort: 0,
    });
    // every 50th Service has no endpoints: kube-proxy REJECTs it in KUBE-SERVICES' filter twin
    const n = i % 50 === 49 ? 0 : E;
    const endpoints = [];
    for (let e = 0; e < n; e++) {
      const k = i * E + e;
      endpoints.push({ ip: `10.${128 + ((k >> 16) & 63)}.${(k >> 8) & 255}.${k & 255}`, nodeName: e % 4 === 0 ? NODE : `node-${e % 7}`, ready: true, serving: true, terminating: false });
    }
    slices.push({ ns, name: `${name}-abcde`, service: name, ports: [{ name: "http", protocol: "TCP", port: 8080 }], endpoints });
  }
  return { services, slices };
}

export function clusterRules(S, E) {
  const { tables } = syncProxyRules(clusterObjects(S, E), { clusterCidr: "10.42.0.0/16", nodeName: NODE });
  return tables.render([`bench: ${S} Services x ${E} endpoints (kube-proxy v1.28 shape, ktrace's generator)`]);
}

/** The same cluster as `kubectl get svc,endpointslices -A -o yaml` prints it (a v1 List), for --k8s. */
export function clusterYaml(S, E) {
  const { services, slices } = clusterObjects(S, E);
  const out = ["apiVersion: v1", "kind: List", "items:"];
  for (const s of services) {
    out.push("- apiVersion: v1", "  kind: Service", "  metadata:", `    name: ${s.name}`, `    namespace: ${s.ns}`, "  spec:", `    type: ${s.type}`, `    clusterIP: ${s.clusterIP}`, `    clusterIPs:`, `    - ${s.clusterIP}`);
    if (s.externalTrafficPolicy === "Local") out.push("    externalTrafficPolicy: Local");
    if (s.affinityTimeout) out.push("    sessionAffinity: ClientIP", "    sessionAffinityConfig:", "      clientIP:", `        timeoutSeconds: ${s.affinityTimeout}`);
    out.push("    ports:");
    for (const p of s.ports) out.push(`    - name: ${p.name}`, `      port: ${p.port}`, `      protocol: ${p.protocol}`, "      targetPort: 8080", ...(p.nodePort ? [`      nodePort: ${p.nodePort}`] : []));
  }
  for (const sl of slices) {
    out.push("- apiVersion: discovery.k8s.io/v1", "  kind: EndpointSlice", "  metadata:", `    name: ${sl.name}`, `    namespace: ${sl.ns}`, "    labels:", `      kubernetes.io/service-name: ${sl.service}`, "  addressType: IPv4", "  endpoints:");
    for (const e of sl.endpoints) out.push("  - addresses:", `    - ${e.ip}`, "    conditions:", "      ready: true", "      serving: true", "      terminating: false", `    nodeName: ${e.nodeName}`);
    out.push("  ports:");
    for (const p of sl.ports) out.push(`  - name: ${p.name}`, `    port: ${p.port}`, `    protocol: ${p.protocol}`);
  }
  return out.join("\n") + "\n";
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [S, E] = process.argv.slice(2).map(Number);
  process.stdout.write(clusterRules(S || 1000, E || 10));
}
