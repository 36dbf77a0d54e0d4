/**
 * Small random Kubernetes clusters for exercises: a few Services with 2–5 endpoints each, turned
 * into kube-proxy's rules on the article's node by the k8s source.
 *
 * Why: every seed should give a learner a different cluster (names, addresses, ports, so
 * different KUBE-SVC/KUBE-SEP hashes) while staying on a node whose routes reach every endpoint:
 * pods on other nodes in 10.42.54.192/26 and 10.42.217.64/26 (via vxlan.calico), this node's
 * own two pods (10.42.135.131 on cali5c2e8d1a0b7, .132 on calia41f3d96e02), and, when asked
 * for, endpoints outside the cluster on the LAN (enp3s0). Randomness comes from the engine's
 * seeded generator, so a seed always gives the same cluster.
 */
import { createRng, type Rng } from "../../engine/rng.js";
import { loadK8s, type LoadedSource } from "../../sources/load.js";
import type { Io } from "../../sources/io.js";

/** Picks with a seeded generator. */
export class Dice {
  readonly rng: Rng;
  constructor(seed: number, stream: number) {
    // a stream of its own per exercise kind, apart from the walk's (which uses the seed itself)
    this.rng = createRng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0);
  }
  int(n: number): number {
    return this.rng.u32() % n;
  }
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.rng.u32() / 0x100000000 < p;
  }
  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

export interface ServiceSpec {
  ns: string;
  name: string;
  portName: string;
  protocol: "TCP" | "UDP";
  clusterIP: string;
  port: number;
  targetPort: number;
  nodePort?: number;
  endpoints: string[];
}

export interface Cluster {
  services: ServiceSpec[];
  /** The Services and EndpointSlices as JSON (which YAML readers read too). */
  yaml: string;
}

const NAMESPACES = ["shop", "default", "podinfo", "payments", "blog", "media"];
const NAMES = ["web", "api", "cart", "checkout", "search", "auth", "frontend", "catalog", "images", "orders"];
const PORTS: [string, number, number][] = [
  ["http", 80, 8080],
  ["https", 443, 8443],
  ["http", 9898, 9898],
  ["grpc", 9000, 9000],
  ["web", 3000, 3000],
  ["http-alt", 8080, 80],
];

/** Where endpoints may live: pods on other nodes, this node's pods, hosts on the LAN. */
export const REMOTE_PODS = [...range(194, 254).map((i) => `10.42.54.${i}`), ...range(65, 126).map((i) => `10.42.217.${i}`)];
export const LOCAL_PODS = ["10.42.135.131", "10.42.135.132"];
export const LAN_HOSTS = range(20, 80).map((i) => `192.168.1.${i}`);

function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

export interface ClusterOptions {
  services?: number;
  /** endpoints per Service */
  endpoints?: [number, number];
  /** may endpoints be this node's pods / LAN hosts? */
  local?: boolean;
  lan?: boolean;
  nodePorts?: boolean;
}

export function randomCluster(d: Dice, opts: ClusterOptions = {}): Cluster {
  const count = opts.services ?? d.between(1, 3);
  const [lo, hi] = opts.endpoints ?? [2, 5];
  const used = new Set<string>();
  const names = d.shuffle(NAMES);
  const services: ServiceSpec[] = [];
  for (let i = 0; i < count; i++) {
    const [portName, port, targetPort] = d.pick(PORTS);
    let clusterIP: string;
    do clusterIP = `10.43.${d.between(0, 255)}.${d.between(2, 254)}`;
    while (used.has(clusterIP));
    used.add(clusterIP);
    const n = d.between(lo, hi);
    const endpoints: string[] = [];
    while (endpoints.length < n) {
      const pool = opts.local && d.chance(0.3) ? LOCAL_PODS : opts.lan && d.chance(0.25) ? LAN_HOSTS : REMOTE_PODS;
      const ip = d.pick(pool);
      if (used.has(ip)) continue; // pools are far larger than any cluster, so this ends
      used.add(ip);
      endpoints.push(ip);
    }
    services.push({
      ns: d.pick(NAMESPACES),
      name: names[i % names.length]!,
      portName,
      protocol: "TCP",
      clusterIP,
      port,
      targetPort,
      nodePort: opts.nodePorts ? 30000 + d.int(2768) : undefined,
      endpoints,
    });
  }
  return { services, yaml: toJson(services) };
}

/** A cluster of these Services (after an exercise changed them: no endpoints, other pods…). */
export function clusterOf(services: ServiceSpec[]): Cluster {
  return { services, yaml: toJson(services) };
}

function toJson(services: ServiceSpec[]): string {
  const items = services.flatMap((s) => [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: s.name, namespace: s.ns },
      spec: {
        type: s.nodePort ? "NodePort" : "ClusterIP",
        clusterIP: s.clusterIP,
        ports: [{ name: s.portName, port: s.port, protocol: s.protocol, targetPort: s.targetPort, ...(s.nodePort ? { nodePort: s.nodePort } : {}) }],
      },
    },
    {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: `${s.name}-x1`, namespace: s.ns, labels: { "kubernetes.io/service-name": s.name } },
      addressType: "IPv4",
      endpoints: s.endpoints.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
      ports: [{ name: s.portName, port: s.targetPort, protocol: s.protocol }],
    },
  ]);
  return JSON.stringify({ apiVersion: "v1", kind: "List", items }, null, 1);
}

/** kube-proxy's rules for the cluster, on the article's node (read from memory, not from disk). */
export function loadCluster(c: Cluster, name: string): LoadedSource {
  const io: Io = {
    readFile: () => c.yaml,
    writeFile: () => undefined,
    exec: () => ({ code: 1, stdout: "", stderr: "exercises run nothing", missing: true }),
    isRoot: () => false,
  };
  const src = loadK8s(io, name);
  return { ...src, title: `the cluster of ${name}`, warnings: [] };
}
