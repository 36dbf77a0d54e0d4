/**
 * What kube-proxy v1.28 (iptables mode, IPv4) writes for one node: syncProxyRules() from
 * pkg/proxy/iptables/proxier.go, plus the jump rules and canary chains it (and kubelet) create.
 *
 * Why: so a learner's own Services turn into the exact chains a node would have. The decisions
 * follow kube-proxy's code path by path: endpoint selection (ready endpoints, else serving +
 * terminating ones; Local policy uses endpoints whose nodeName is this node), the Cluster/Local
 * chain choice, KUBE-EXT short-circuit rules, KUBE-FW for loadBalancerSourceRanges, REJECT/DROP
 * in filter when there is nothing to send to, and dropping per-endpoint comments above 1000
 * endpoints. Rules are emitted directly in iptables-save form (see save.ts); kube-proxy's own
 * argument order is noted where it differs. Service ports are visited sorted by name (kube-proxy
 * iterates a Go map, so its KUBE-SERVICES order differs from run to run).
 */
import type { Objects, Service, SliceEndpoint } from "./input.js";
import { NameTable, endpointChain, portChains, savedProbability, servicePortName, type PortChains, type Proto } from "./names.js";
import { Tables, cidr, comment as cm, type TableText } from "./save.js";
import { runToEnd } from "../../engine/steps.js";

export interface ProxierOptions {
  clusterCidr: string;
  nodeName?: string;
  nodeIp?: string;
}

const MASQ = "KUBE-MARK-MASQ";
const LARGE_CLUSTER_ENDPOINTS = 1000;

interface SvcPort {
  spn: string;
  proto: Proto;
  svc: Service;
  port: number;
  nodePort: number;
  chains: PortChains;
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
  externallyAccessible: boolean;
}

interface Endpoint extends SliceEndpoint {
  str: string; // "ip:port"
  local: boolean;
  chain: string;
}

function servicePorts(objs: Objects): SvcPort[] {
  const byKey = new Map<string, SvcPort>();
  for (const svc of objs.services) {
    if (!svc.clusterIP) continue; // headless, ExternalName or IPv6-only: kube-proxy skips it
    const ePL = (svc.type === "NodePort" || svc.type === "LoadBalancer") && svc.externalTrafficPolicy === "Local";
    for (const p of svc.ports) {
      const spn = servicePortName(svc.ns, svc.name, p.name);
      const proto = p.protocol.toLowerCase() as Proto;
      const externallyAccessible = p.nodePort !== 0 || svc.loadBalancerIPs.length > 0 || svc.externalIPs.length > 0;
      byKey.set(`${spn} ${proto}`, {
        spn,
        proto,
        svc,
        port: p.port,
        nodePort: p.nodePort,
        chains: portChains(spn, proto),
        externalPolicyLocal: ePL && externallyAccessible,
        internalPolicyLocal: svc.internalTrafficPolicy === "Local",
        externallyAccessible,
      });
    }
  }
  return [...byKey.values()].sort((a, b) => (a.spn < b.spn ? -1 : a.spn > b.spn ? 1 : a.proto < b.proto ? -1 : a.proto > b.proto ? 1 : 0));
}

/** EndpointSliceCache: endpoints per service port, deduplicated by ip:port (local wins), sorted. */
function endpointsMap(objs: Objects, nodeName: string | undefined): Map<string, Endpoint[]> {
  const sets = new Map<string, Map<string, Endpoint>>();
  for (const slice of objs.slices) {
    for (const port of slice.ports) {
      if (port.port === 0) continue;
      const spn = servicePortName(slice.ns, slice.service, port.name);
      const proto = port.protocol.toLowerCase() as Proto;
      const key = `${spn} ${proto}`;
      let set = sets.get(key);
      if (!set) sets.set(key, (set = new Map()));
      for (const e of slice.endpoints) {
        const str = `${e.ip}:${port.port}`;
        const local = nodeName !== undefined && e.nodeName === nodeName;
        if (!set.has(str) || local) set.set(str, { ...e, str, local, chain: endpointChain(spn, proto, str) });
      }
    }
  }
  const out = new Map<string, Endpoint[]>();
  for (const [k, set] of sets) out.set(k, [...set.values()].sort((a, b) => (a.str < b.str ? -1 : a.str > b.str ? 1 : 0)));
  return out;
}

/** proxy.CategorizeEndpoints without topology hints. */
function categorize(eps: Endpoint[], sp: SvcPort) {
  const usesCluster = !sp.internalPolicyLocal || sp.externallyAccessible;
  const usesLocal = sp.internalPolicyLocal || sp.externalPolicyLocal;
  let cluster: Endpoint[] = [];
  let local: Endpoint[] = [];
  let hasAny = false;
  if (usesCluster) {
    cluster = eps.filter((e) => e.ready);
    if (cluster.length === 0) cluster = eps.filter((e) => e.serving && e.terminating);
    hasAny = cluster.length > 0;
  }
  if (!usesLocal) return { cluster, local, reachable: cluster, hasAny };
  let localReady = false;
  let localTerminating = false;
  for (const e of eps) {
    if (e.ready) {
      hasAny = true;
      localReady ||= e.local;
    } else if (e.serving && e.terminating) {
      hasAny = true;
      localTerminating ||= e.local;
    }
  }
  if (localReady) local = eps.filter((e) => e.local && e.ready);
  else if (localTerminating) local = eps.filter((e) => e.local && e.serving && e.terminating);
  if (!usesCluster) return { cluster, local, reachable: local, hasAny };
  if (!localTerminating || localReady) return { cluster, local, reachable: cluster, hasAny };
  const merged = new Map([...cluster, ...local].map((e) => [e.str, e]));
  return { cluster, local, reachable: [...merged.values()], hasAny };
}

export interface ProxierOutput {
  tables: Tables;
  names: NameTable;
}

export function syncProxyRules(objs: Objects, opts: ProxierOptions): ProxierOutput {
  return runToEnd(syncProxyRulesSteps(objs, opts));
}

/** Service ports written between two progress reports (a few milliseconds of work). */
const PORTS_PER_STEP = 256;

/** syncProxyRules in slices: yields how many Service ports it has written, of all of them. */
export function* syncProxyRulesSteps(objs: Objects, opts: ProxierOptions): Generator<{ done: number; total: number }, ProxierOutput, void> {
  const tables = new Tables();
  const names = new NameTable();
  const mangle = tables.get("mangle");
  const filter = tables.get("filter");
  const nat = tables.get("nat");
  const clusterCidr = cidr(opts.clusterCidr);

  // kubelet's and kube-proxy's canaries (and kubelet's backend hint in mangle)
  mangle.chain("KUBE-IPTABLES-HINT");
  for (const t of [mangle, nat, filter]) t.chain("KUBE-KUBELET-CANARY").chain("KUBE-PROXY-CANARY");
  for (const c of ["KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS", "KUBE-PROXY-FIREWALL", "KUBE-FIREWALL"]) filter.chain(c);
  for (const c of ["KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", MASQ]) nat.chain(c);

  jumpRules(filter, nat);
  nat.add("KUBE-POSTROUTING", "-m mark ! --mark 0x4000/0x4000 -j RETURN");
  nat.add("KUBE-POSTROUTING", "-j MARK --set-xmark 0x4000/0x0"); // --xor-mark 0x4000
  nat.add("KUBE-POSTROUTING", `${cm("kubernetes service traffic requiring SNAT")} -j MASQUERADE --random-fully`);
  nat.add(MASQ, "-j MARK --set-xmark 0x4000/0x4000"); // --or-mark 0x4000
  // localhost NodePorts are on by default, so kube-proxy adds kubelet's anti-martian rule
  filter.add("KUBE-FIREWALL", `! -s 127.0.0.0/8 -d 127.0.0.0/8 ${cm("block incoming localnet connections")} -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`);

  const ports = servicePorts(objs);
  const epMap = endpointsMap(objs, opts.nodeName);
  const total = ports.reduce((n, sp) => n + (epMap.get(`${sp.spn} ${sp.proto}`)?.length ?? 0), 0);
  const large = total > LARGE_CLUSTER_ENDPOINTS;

  for (let i = 0; i < ports.length; i++) {
    if (i % PORTS_PER_STEP === 0 && i > 0) yield { done: i, total: ports.length };
    const sp = ports[i]!;
    names.addPort(sp.spn, sp.proto);
    const eps = epMap.get(`${sp.spn} ${sp.proto}`) ?? [];
    for (const e of eps) names.addEndpoint(sp.spn, sp.proto, e.str);
    writeServicePort(sp, eps, { filter, nat, clusterCidr, nodeIp: opts.nodeIp, large });
  }

  nat.add("KUBE-SERVICES", `${cm("kubernetes service nodeports; NOTE: this must be the last rule in this chain")} -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`);
  filter.add("KUBE-FORWARD", "-m conntrack --ctstate INVALID -j DROP");
  filter.add("KUBE-FORWARD", `${cm("kubernetes forwarding rules")} -m mark --mark 0x4000/0x4000 -j ACCEPT`);
  filter.add("KUBE-FORWARD", `${cm("kubernetes forwarding conntrack rule")} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
  return { tables, names };
}

/**
 * kube-proxy prepends each jump (EnsureRule(Prepend)) in its list order, so the last one ends up
 * first; kubelet's KUBE-FIREWALL jumps exist before kube-proxy starts, so they end up last.
 */
function jumpRules(filter: TableText, nat: TableText): void {
  const isNew = "-m conntrack --ctstate NEW";
  const pfw = `${isNew} ${cm("kubernetes load balancer firewall")} -j KUBE-PROXY-FIREWALL`;
  const ext = `${isNew} ${cm("kubernetes externally-visible service portals")} -j KUBE-EXTERNAL-SERVICES`;
  filter.add("INPUT", pfw);
  filter.add("INPUT", `${cm("kubernetes health check service ports")} -j KUBE-NODEPORTS`);
  filter.add("INPUT", ext);
  filter.add("INPUT", "-j KUBE-FIREWALL");
  filter.add("FORWARD", pfw);
  filter.add("FORWARD", `${cm("kubernetes forwarding rules")} -j KUBE-FORWARD`);
  filter.add("FORWARD", `${isNew} ${cm("kubernetes service portals")} -j KUBE-SERVICES`);
  filter.add("FORWARD", ext);
  filter.add("OUTPUT", pfw);
  filter.add("OUTPUT", `${isNew} ${cm("kubernetes service portals")} -j KUBE-SERVICES`);
  filter.add("OUTPUT", "-j KUBE-FIREWALL");
  nat.add("PREROUTING", `${cm("kubernetes service portals")} -j KUBE-SERVICES`);
  nat.add("OUTPUT", `${cm("kubernetes service portals")} -j KUBE-SERVICES`);
  nat.add("POSTROUTING", `${cm("kubernetes postrouting rules")} -j KUBE-POSTROUTING`);
}

interface Ctx {
  filter: TableText;
  nat: TableText;
  clusterCidr: string;
  nodeIp?: string;
  large: boolean;
}

function inCidr(ip: string, range: string): boolean {
  const len = Number(range.split("/")[1] ?? 32);
  return cidr(`${ip}/${len}`) === cidr(range);
}

function writeServicePort(sp: SvcPort, eps: Endpoint[], ctx: Ctx): void {
  const { filter, nat } = ctx;
  const { spn, proto: p, svc, chains } = sp;
  const { cluster, local, reachable, hasAny } = categorize(eps, sp);
  const usesClusterChain = cluster.length > 0 && (!sp.internalPolicyLocal || sp.externallyAccessible);
  const usesLocalChain = local.length > 0 && (sp.internalPolicyLocal || sp.externalPolicyLocal);
  const internalChain = sp.internalPolicyLocal ? chains.svl : chains.svc;
  const hasInternal = hasAny && !(sp.internalPolicyLocal && local.length === 0);
  const externalPolicyChain = sp.externalPolicyLocal ? chains.svl : chains.svc;
  const hasExternal = hasAny && !(sp.externalPolicyLocal && local.length === 0);
  const usesExtChain = hasAny && sp.externallyAccessible;
  const usesFW = hasAny && svc.loadBalancerIPs.length > 0 && svc.sourceRanges.length > 0;
  const lbChain = usesFW ? chains.fw : chains.ext;
  const noLocal = `${spn} has no local endpoints`;
  const [intTarget, intComment] = !hasAny ? ["REJECT --reject-with icmp-port-unreachable", `${spn} has no endpoints`] : ["DROP", noLocal];
  const [extTarget, extComment] = !hasAny ? [intTarget, intComment] : ["DROP", noLocal];
  const dport = (port: number) => `-m ${p} --dport ${port}`;
  const ip = svc.clusterIP!;

  // kube-proxy writes "-m comment --comment C -m tcp -p tcp -d IP --dport P"; save reorders it
  if (hasInternal) nat.add("KUBE-SERVICES", `-d ${ip}/32 -p ${p} ${cm(`${spn} cluster IP`)} ${dport(sp.port)} -j ${internalChain}`);
  else filter.add("KUBE-SERVICES", `-d ${ip}/32 -p ${p} ${cm(intComment)} ${dport(sp.port)} -j ${intTarget}`);

  for (const eip of svc.externalIPs) {
    if (hasAny) nat.add("KUBE-SERVICES", `-d ${eip}/32 -p ${p} ${cm(`${spn} external IP`)} ${dport(sp.port)} -j ${chains.ext}`);
    if (!hasExternal) filter.add("KUBE-EXTERNAL-SERVICES", `-d ${eip}/32 -p ${p} ${cm(extComment)} ${dport(sp.port)} -j ${extTarget}`);
  }
  for (const lb of svc.loadBalancerIPs) {
    if (hasAny) nat.add("KUBE-SERVICES", `-d ${lb}/32 -p ${p} ${cm(`${spn} loadbalancer IP`)} ${dport(sp.port)} -j ${lbChain}`);
    if (usesFW) filter.add("KUBE-PROXY-FIREWALL", `-d ${lb}/32 -p ${p} ${cm(`${spn} traffic not accepted by ${chains.fw}`)} ${dport(sp.port)} -j DROP`);
  }
  if (!hasExternal) {
    for (const lb of svc.loadBalancerIPs) filter.add("KUBE-EXTERNAL-SERVICES", `-d ${lb}/32 -p ${p} ${cm(extComment)} ${dport(sp.port)} -j ${extTarget}`);
  }
  if (sp.nodePort !== 0) {
    if (hasAny) nat.add("KUBE-NODEPORTS", `-p ${p} ${cm(spn)} ${dport(sp.nodePort)} -j ${chains.ext}`);
    if (!hasExternal) filter.add("KUBE-EXTERNAL-SERVICES", `-p ${p} ${cm(extComment)} -m addrtype --dst-type LOCAL ${dport(sp.nodePort)} -j ${extTarget}`);
  }
  // apiservice.NeedsHealthCheck: LoadBalancer with externalTrafficPolicy Local
  if (svc.type === "LoadBalancer" && svc.externalTrafficPolicy === "Local" && svc.healthCheckNodePort !== 0) {
    filter.add("KUBE-NODEPORTS", `-p tcp ${cm(`${spn} health check node port`)} -m tcp --dport ${svc.healthCheckNodePort} -j ACCEPT`);
  }

  if (hasInternal) {
    // LocalTrafficDetector (cluster CIDR): masquerade off-cluster traffic to the cluster IP
    nat.add(internalChain, `! -s ${ctx.clusterCidr} -d ${ip}/32 -p ${p} ${cm(`${spn} cluster IP`)} ${dport(sp.port)} -j ${MASQ}`);
  }

  if (usesExtChain) {
    nat.chain(chains.ext);
    if (!sp.externalPolicyLocal) {
      nat.add(chains.ext, `${cm(`masquerade traffic for ${spn} external destinations`)} -j ${MASQ}`);
    } else {
      nat.add(chains.ext, `-s ${ctx.clusterCidr} ${cm(`pod traffic for ${spn} external destinations`)} -j ${chains.svc}`);
      nat.add(chains.ext, `${cm(`masquerade LOCAL traffic for ${spn} external destinations`)} -m addrtype --src-type LOCAL -j ${MASQ}`);
      nat.add(chains.ext, `${cm(`route LOCAL traffic for ${spn} external destinations`)} -m addrtype --src-type LOCAL -j ${chains.svc}`);
    }
    if (hasExternal) nat.add(chains.ext, `-j ${externalPolicyChain}`);
  }

  if (usesFW) {
    const c = cm(`${spn} loadbalancer IP`);
    let fromNode = false;
    for (const r of svc.sourceRanges) {
      nat.add(chains.fw, `-s ${cidr(r)} ${c} -j ${chains.ext}`);
      if (ctx.nodeIp && inCidr(ctx.nodeIp, r)) fromNode = true;
    }
    if (fromNode) for (const lb of svc.loadBalancerIPs) nat.add(chains.fw, `-s ${lb}/32 ${c} -j ${chains.ext}`);
    nat.add(chains.fw, cm(`other traffic to ${spn} will be dropped by KUBE-PROXY-FIREWALL`));
  }

  if (usesClusterChain) writeServiceToEndpoints(nat, sp, chains.svc, cluster, ctx.large);
  if (usesLocalChain) writeServiceToEndpoints(nat, sp, chains.svl, local, ctx.large);

  for (const e of reachable) {
    const c = ctx.large ? "" : `${cm(spn)} `;
    const recent = svc.affinityTimeout !== undefined ? `-m recent --set --name ${e.chain} --mask 255.255.255.255 --rsource ` : "";
    nat.add(e.chain, `-s ${e.ip}/32 ${c}-j ${MASQ}`);
    nat.add(e.chain, `-p ${p} ${c}${recent}-m ${p} -j DNAT --to-destination ${e.str}`);
  }
}

function writeServiceToEndpoints(nat: TableText, sp: SvcPort, chain: string, eps: Endpoint[], large: boolean): void {
  nat.chain(chain);
  const c = (e: Endpoint) => (large ? "" : `${cm(`${sp.spn} -> ${e.str}`)} `);
  const timeout = sp.svc.affinityTimeout;
  if (timeout !== undefined) {
    for (const e of eps) nat.add(chain, `${c(e)}-m recent --rcheck --seconds ${timeout} --reap --name ${e.chain} --mask 255.255.255.255 --rsource -j ${e.chain}`);
  }
  eps.forEach((e, i) => {
    const stat = i < eps.length - 1 ? `-m statistic --mode random --probability ${savedProbability(eps.length - i)} ` : "";
    nat.add(chain, `${c(e)}${stat}-j ${e.chain}`);
  });
}
