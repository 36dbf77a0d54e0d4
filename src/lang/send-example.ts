/**
 * A `send` line that fits the loaded node: what the status bar and "no packet yet" suggest.
 *
 * Why: a learner who loads their own rules (a file, a snapshot, --live, --k8s) had no example of
 * what to type, or the article's packet, to a Service their node does not have. The first
 * Service in kube-proxy's dispatch chain (nat KUBE-SERVICES), sent from the node's own address as
 * the article's curl was, walks the whole Kubernetes path; without one, a client on the node's
 * LAN connecting to the node walks the input path. A scenario's own hint comes first.
 */
import type { Session } from "./session.js";
import type { Rule, Ruleset } from "../engine/model/ruleset.js";
import type { Interface, NodeModel } from "../engine/model/node.js";
import { formatIp, prefixToMask } from "../engine/model/ipv4.js";

const PROTO_NAMES: Record<number, string> = { 6: "tcp", 17: "udp" };

/** The source port of every suggested packet: an ephemeral one, as a client's connect() picks. */
const CLIENT_PORT = 40000;

export function sendExample(s: Session): string {
  if (s.source.hint) return s.source.hint;
  const lan = nodeAddress(s.engine.node, 31);
  const service = firstService(s.engine.ruleset);
  // from the node, as the article's curl: any address of its own will do (a cloud node's is a /32)
  const own = lan ?? nodeAddress(s.engine.node, 33);
  if (service && own) return `send ${service.proto} ${formatIp(own.ip)}:${CLIENT_PORT} -> ${formatIp(service.addr)}:${service.port}`;
  if (lan) return `send tcp ${formatIp(neighbour(lan.ip, lan.prefix))}:${CLIENT_PORT} -> ${formatIp(lan.ip)}:22 in ${lan.iface.name}`;
  return `send tcp 192.168.1.20:${CLIENT_PORT} -> 192.168.1.88:22`;
}

/** The node's first global address on an interface that is up, not loopback, with a prefix below `under`. */
function nodeAddress(node: NodeModel, under: number): { iface: Interface; ip: number; prefix: number } | undefined {
  for (const iface of node.interfaces) {
    if (!iface.up || iface.kind === "loopback" || iface.name === "lo") continue;
    const a = iface.addrs.find((x) => x.scope === "global" && x.prefix < under);
    if (a) return { iface, ip: a.ip, prefix: a.prefix };
  }
  return undefined;
}

/** Another host of the subnet: its 20th address (its first in a small one), the next if the node holds it. */
function neighbour(ip: number, prefix: number): number {
  const net = (ip & prefixToMask(prefix)) >>> 0;
  const pick = (net + (2 ** (32 - prefix) > 32 ? 20 : 1)) >>> 0;
  return pick === ip ? (pick + 1) >>> 0 : pick;
}

interface Service {
  proto: string;
  addr: number;
  port: number;
}

/**
 * The answer for a chain's rules, kept: the REPL's status bar asks at every key. An edited chain
 * (iptables -A/-I/-D/-F) has a new rules array, and is looked at again.
 */
const servicesSeen = new WeakMap<readonly Rule[], Service | null>();

/** The first rule of nat KUBE-SERVICES that names one host, TCP or UDP, and one port. */
function firstService(rs: Ruleset): Service | undefined {
  const rules = rs.tables.get("nat")?.chains.get("KUBE-SERVICES")?.rules;
  if (!rules) return undefined;
  let found = servicesSeen.get(rules);
  if (found === undefined) servicesSeen.set(rules, (found = serviceIn(rules) ?? null));
  return found ?? undefined;
}

function serviceIn(rules: readonly Rule[]): Service | undefined {
  for (const r of rules) {
    if (!r.dst || r.dst.negated || r.dst.value.prefix !== 32 || !r.proto || r.proto.negated) continue;
    const proto = PROTO_NAMES[r.proto.value];
    const port = r.matches.map((m) => m.module.exactKey?.(m.data)?.dport).find((p) => p !== undefined);
    if (proto && port !== undefined) return { proto, addr: r.dst.value.addr, port };
  }
  return undefined;
}
