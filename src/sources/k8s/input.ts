/**
 * Reads Services and EndpointSlices from `kubectl get svc,endpointslices -A -o yaml` (a v1 List),
 * multi-document manifests or JSON, into the few fields kube-proxy looks at.
 *
 * Why: learners paste their own cluster's objects; a wrong field must fail with the file, the item
 * (number, kind, ns/name) and the field path, not later as a strange rule. Only what kube-proxy
 * v1.28 (iptables mode, IPv4) reads is kept; IPv6 addresses and families are skipped, as the
 * IPv4 proxier skips them.
 */
import { CORE_SCHEMA, loadAll, YAMLException } from "js-yaml";

export class K8sInputError extends Error {}

export type Protocol = "TCP" | "UDP" | "SCTP";

export interface ServicePort {
  name: string;
  protocol: Protocol;
  port: number;
  nodePort: number;
}

export interface Service {
  ns: string;
  name: string;
  type: string;
  clusterIP?: string; // IPv4 cluster IP; undefined: headless / ExternalName / IPv6-only -> skipped
  ports: ServicePort[];
  externalIPs: string[];
  loadBalancerIPs: string[];
  sourceRanges: string[];
  externalTrafficPolicy: string;
  internalTrafficPolicy: string;
  affinityTimeout?: number; // sessionAffinity ClientIP
  healthCheckNodePort: number;
}

export interface SliceEndpoint {
  ip: string;
  nodeName?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export interface EndpointSlice {
  ns: string;
  name: string;
  service: string;
  ports: { name: string; protocol: Protocol; port: number }[];
  endpoints: SliceEndpoint[];
}

export interface Objects {
  services: Service[];
  slices: EndpointSlice[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown): string => {
  if (v === undefined) return "nothing";
  try {
    return v === null ? "null" : JSON.stringify(v);
  } catch (e) {
    return e instanceof RangeError ? "a value nested too deeply to print" : "a value that contains itself (a YAML alias)";
  }
};
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export const isIPv4 = (s: string) => IPV4.test(s);

/** Field access that reports `file: item N (Kind ns/name): path: problem`. */
class Item {
  constructor(
    private readonly file: string,
    private readonly label: string,
  ) {}

  fail(path: string, msg: string): never {
    throw new K8sInputError(`${this.file}: ${this.label}: ${path}: ${msg}`);
  }

  obj(v: unknown, path: string, optional = true): Obj {
    if (v === undefined || v === null) return optional ? {} : this.fail(path, "missing");
    return isObj(v) ? v : this.fail(path, `expected a mapping, got ${show(v)}`);
  }

  list(v: unknown, path: string): unknown[] {
    if (v === undefined || v === null) return [];
    return Array.isArray(v) ? v : this.fail(path, `expected a list, got ${show(v)}`);
  }

  str(v: unknown, path: string, dflt?: string): string {
    if ((v === undefined || v === null) && dflt !== undefined) return dflt;
    return typeof v === "string" ? v : this.fail(path, v === undefined ? "missing" : `expected a string, got ${show(v)}`);
  }

  num(v: unknown, path: string, min: number, max: number, dflt?: number): number {
    if ((v === undefined || v === null) && dflt !== undefined) return dflt;
    if (typeof v !== "number" || !Number.isInteger(v)) this.fail(path, v === undefined ? "missing" : `expected a number, got ${show(v)}`);
    if (v < min || v > max) this.fail(path, `${v} is out of range ${min}-${max}`);
    return v;
  }

  bool(v: unknown, path: string, dflt: boolean): boolean {
    if (v === undefined || v === null) return dflt;
    return typeof v === "boolean" ? v : this.fail(path, `expected true or false, got ${show(v)}`);
  }

  protocol(v: unknown, path: string): Protocol {
    const p = this.str(v, path, "TCP");
    if (p === "TCP" || p === "UDP" || p === "SCTP") return p;
    return this.fail(path, `expected TCP, UDP or SCTP, got ${show(v)}`);
  }

  ip(v: unknown, path: string): string {
    const s = this.str(v, path);
    if (isIPv4(s) || s.includes(":")) return s;
    return this.fail(path, `expected an IP address, got ${show(v)}`);
  }
}

function readService(it: Item, o: Obj, ns: string, name: string): Service {
  const spec = it.obj(o.spec, "spec", false);
  const status = it.obj(o.status, "status");
  const type = it.str(spec.type, "spec.type", "ClusterIP");
  if (!["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].includes(type)) {
    it.fail("spec.type", `expected ClusterIP, NodePort, LoadBalancer or ExternalName, got ${show(spec.type)}`);
  }
  const ips = spec.clusterIPs !== undefined ? it.list(spec.clusterIPs, "spec.clusterIPs").map((v, i) => it.str(v, `spec.clusterIPs[${i}]`)) : [];
  if (spec.clusterIP !== undefined && spec.clusterIP !== null) ips.unshift(it.str(spec.clusterIP, "spec.clusterIP"));
  ips.forEach((ip, i) => {
    if (ip !== "None" && ip !== "" && !isIPv4(ip) && !ip.includes(":")) it.fail(i === 0 && spec.clusterIP !== undefined ? "spec.clusterIP" : "spec.clusterIPs", `expected an IP address or "None", got ${show(ip)}`);
  });
  const ports = it.list(spec.ports, "spec.ports").map((p, i) => {
    const po = it.obj(p, `spec.ports[${i}]`, false);
    return {
      name: it.str(po.name, `spec.ports[${i}].name`, ""),
      protocol: it.protocol(po.protocol, `spec.ports[${i}].protocol`),
      port: it.num(po.port, `spec.ports[${i}].port`, 1, 65535),
      nodePort: it.num(po.nodePort, `spec.ports[${i}].nodePort`, 0, 65535, 0),
    };
  });
  const ingress = it.list(it.obj(status.loadBalancer, "status.loadBalancer").ingress, "status.loadBalancer.ingress");
  const lbIPs: string[] = [];
  ingress.forEach((g, i) => {
    const go = it.obj(g, `status.loadBalancer.ingress[${i}]`, false);
    if (go.ip === undefined || go.ip === "" || go.ipMode === "Proxy") return; // hostname-only or proxy-mode LBs
    lbIPs.push(it.ip(go.ip, `status.loadBalancer.ingress[${i}].ip`));
  });
  const sourceRanges = it.list(spec.loadBalancerSourceRanges, "spec.loadBalancerSourceRanges").map((v, i) => {
    const s = it.str(v, `spec.loadBalancerSourceRanges[${i}]`).trim(); // kube-proxy trims, as validation lets blanks through
    const m = /^([\d.]+)\/(\d+)$/.exec(s);
    if (s.includes(":")) return s;
    if (!m || !isIPv4(m[1]!) || Number(m[2]) > 32) it.fail(`spec.loadBalancerSourceRanges[${i}]`, `expected a CIDR such as 203.0.113.0/24, got ${show(v)}`);
    return s;
  });
  const policy = (v: unknown, path: string) => {
    const p = it.str(v, path, "Cluster");
    return p === "Cluster" || p === "Local" ? p : it.fail(path, `expected Cluster or Local, got ${show(v)}`);
  };
  const affinity = it.str(spec.sessionAffinity, "spec.sessionAffinity", "None");
  if (affinity !== "None" && affinity !== "ClientIP") it.fail("spec.sessionAffinity", `expected None or ClientIP, got ${show(spec.sessionAffinity)}`);
  const cfg = it.obj(it.obj(spec.sessionAffinityConfig, "spec.sessionAffinityConfig").clientIP, "spec.sessionAffinityConfig.clientIP");
  const clusterIP = ips.find(isIPv4);
  return {
    ns,
    name,
    type,
    clusterIP: type === "ExternalName" || ips[0] === "None" ? undefined : clusterIP,
    ports,
    externalIPs: it.list(spec.externalIPs, "spec.externalIPs").map((v, i) => it.ip(v, `spec.externalIPs[${i}]`)).filter(isIPv4),
    loadBalancerIPs: lbIPs.filter(isIPv4),
    sourceRanges: sourceRanges.filter((s) => !s.includes(":")),
    externalTrafficPolicy: policy(spec.externalTrafficPolicy, "spec.externalTrafficPolicy"),
    internalTrafficPolicy: policy(spec.internalTrafficPolicy, "spec.internalTrafficPolicy"),
    affinityTimeout: affinity === "ClientIP" ? it.num(cfg.timeoutSeconds, "spec.sessionAffinityConfig.clientIP.timeoutSeconds", 1, 86400, 10800) : undefined,
    healthCheckNodePort: it.num(spec.healthCheckNodePort, "spec.healthCheckNodePort", 0, 65535, 0),
  };
}

function readSlice(it: Item, o: Obj, ns: string, name: string): EndpointSlice | undefined {
  const labels = it.obj(it.obj(o.metadata, "metadata").labels, "metadata.labels");
  const service = it.str(labels["kubernetes.io/service-name"], 'metadata.labels["kubernetes.io/service-name"]');
  const addressType = it.str(o.addressType, "addressType");
  if (!["IPv4", "IPv6", "FQDN"].includes(addressType)) it.fail("addressType", `expected IPv4, IPv6 or FQDN, got ${show(o.addressType)}`);
  const ports = it.list(o.ports, "ports").map((p, i) => {
    const po = it.obj(p, `ports[${i}]`, false);
    return {
      name: it.str(po.name, `ports[${i}].name`, ""),
      protocol: it.protocol(po.protocol, `ports[${i}].protocol`),
      port: it.num(po.port, `ports[${i}].port`, 0, 65535, 0),
    };
  });
  const endpoints: SliceEndpoint[] = [];
  it.list(o.endpoints, "endpoints").forEach((e, i) => {
    const eo = it.obj(e, `endpoints[${i}]`, false);
    const addrs = it.list(eo.addresses, `endpoints[${i}].addresses`);
    const c = it.obj(eo.conditions, `endpoints[${i}].conditions`);
    const ip = addrs.length ? it.str(addrs[0], `endpoints[${i}].addresses[0]`) : undefined;
    if (ip === undefined) return; // kube-proxy skips endpoints without addresses
    if (addressType === "IPv4" && !isIPv4(ip)) it.fail(`endpoints[${i}].addresses[0]`, `expected an IPv4 address, got ${show(ip)}`);
    endpoints.push({
      ip,
      nodeName: eo.nodeName === undefined || eo.nodeName === null ? undefined : it.str(eo.nodeName, `endpoints[${i}].nodeName`),
      // unset conditions count as ready/serving and not terminating (discovery/v1 semantics)
      ready: it.bool(c.ready, `endpoints[${i}].conditions.ready`, true),
      serving: it.bool(c.serving, `endpoints[${i}].conditions.serving`, true),
      terminating: it.bool(c.terminating, `endpoints[${i}].conditions.terminating`, false),
    });
  });
  if (addressType !== "IPv4") return undefined;
  return { ns, name, service, ports, endpoints };
}

/**
 * The documents of a YAML or JSON text, as plain values. js-yaml builds values straight from the
 * text, with no syntax tree: a 10,000-Service cluster (13 MB of YAML) reads in a second, where a
 * parser that keeps every node's position took 15 s and 1.5 GB. Field errors name the item and the
 * field path, so positions are needed only for syntax errors, and js-yaml reports those.
 */
function readDocuments(text: string, file: string): unknown[] {
  const head = text.trimStart()[0];
  if (head === "{" || head === "[") {
    try {
      return [JSON.parse(text)];
    } catch {
      // not JSON after all (YAML flow style, or a mistake): the YAML reader says where
    }
  }
  try {
    // the core schema, as Kubernetes reads YAML: no timestamps, no !!js types
    return loadAll(text, undefined, { schema: CORE_SCHEMA, filename: file });
  } catch (e) {
    if (e instanceof YAMLException) throw new K8sInputError(`${file}:${(e.mark?.line ?? 0) + 1}: not valid YAML/JSON: ${e.reason}`);
    throw new K8sInputError(`${file}: not valid YAML/JSON: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** Parse every Service and EndpointSlice in the text; anything else is an error. */
export function readObjects(text: string, file: string): Objects {
  const out: Objects = { services: [], slices: [] };
  const docs = readDocuments(text, file);
  // YAML aliases make one object appear in several places (or inside itself): each is read once
  const seen = new Set<object>();
  let n = 0;
  const visit = (v: unknown) => {
    n++;
    const plain = new Item(file, `item ${n}`);
    if (!isObj(v)) return plain.fail("kind", `expected a Kubernetes object (a mapping with kind), got ${show(v)}`);
    if (seen.has(v)) return plain.fail("kind", "the same object again (a YAML alias): each Service and EndpointSlice is written out once");
    seen.add(v);
    const kind = v.kind;
    if (typeof kind === "string" && /List$/.test(kind) && Array.isArray(v.items)) {
      n--;
      v.items.forEach((x) => visit(x));
      return;
    }
    const meta = plain.obj(v.metadata, "metadata");
    const name = typeof meta.name === "string" ? meta.name : "?";
    const ns = typeof meta.namespace === "string" ? meta.namespace : "default";
    const it = new Item(file, `item ${n} (${typeof kind === "string" ? kind : "?"} ${ns}/${name})`);
    if (kind !== "Service" && kind !== "EndpointSlice") {
      const hint = kind === "Endpoints" ? " (kube-proxy 1.28 reads EndpointSlices: kubectl get svc,endpointslices -A -o yaml)" : "";
      it.fail("kind", `expected Service or EndpointSlice, got ${show(kind)}${hint}`);
    }
    it.str(meta.name, "metadata.name");
    if (kind === "Service") out.services.push(readService(it, v, ns, name));
    else {
      const s = readSlice(it, v, ns, name);
      if (s) out.slices.push(s);
    }
  };
  for (const v of docs) {
    if (v === null || v === undefined) continue;
    visit(v);
  }
  if (out.services.length === 0) throw new K8sInputError(`${file}: no Services found (expected the output of kubectl get svc,endpointslices -A -o yaml, or Service/EndpointSlice manifests)`);
  return out;
}
