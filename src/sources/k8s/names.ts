/**
 * kube-proxy's chain names, its probability strings, and decoding KUBE-* names back to Services.
 *
 * Why: a learner sees `KUBE-SVC-Y4T5L63IYP3YFEBS` and needs "Service podinfo/frontend-podinfo port
 * http (tcp)". kube-proxy (pkg/proxy/iptables/proxier.go, v1.28) names a service port's chains
 * prefix + base32(sha256(servicePortName + protocol))[:16] and an endpoint's chain
 * KUBE-SEP- + base32(sha256(servicePortName + protocol + "ip:port"))[:16], where servicePortName is
 * "ns/name:port" ("ns/name" when the port is unnamed) and protocol is lower case. The hashes are
 * one-way, so a generated ruleset carries its own table of names; a foreign ruleset is decoded
 * from the comments kube-proxy writes next to each jump.
 */
import { createHash } from "node:crypto";
import type { Rule, Ruleset } from "../../engine/model/ruleset.js";
import { jumpTargets } from "../../engine/model/loaded-chain.js";

export type Proto = "tcp" | "udp" | "sctp";

/** RFC 4648 base32 with padding, as Go's base32.StdEncoding (we only keep the first 16 chars). */
function base32(bytes: Uint8Array): string {
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += A[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += A[(value << (5 - bits)) & 31];
  while (out.length % 8) out += "=";
  return out;
}

export function portProtoHash(servicePortName: string, protocol: Proto, endpoint = ""): string {
  return base32(createHash("sha256").update(servicePortName + protocol + endpoint).digest()).slice(0, 16);
}

/** "ns/name:port", or "ns/name" for an unnamed port (proxy.ServicePortName.String()). */
export function servicePortName(ns: string, name: string, port: string): string {
  return port ? `${ns}/${name}:${port}` : `${ns}/${name}`;
}

export interface PortChains {
  svc: string;
  svl: string;
  ext: string;
  fw: string;
}

export function portChains(spn: string, protocol: Proto): PortChains {
  const h = portProtoHash(spn, protocol);
  return { svc: `KUBE-SVC-${h}`, svl: `KUBE-SVL-${h}`, ext: `KUBE-EXT-${h}`, fw: `KUBE-FW-${h}` };
}

export function endpointChain(spn: string, protocol: Proto, endpoint: string): string {
  return `KUBE-SEP-${portProtoHash(spn, protocol, endpoint)}`;
}

/**
 * The probability as iptables-save prints it: kube-proxy writes 1/n with "%0.10f", the kernel keeps
 * lround(p * 2^31) and iptables prints that / 2^31 with "%.11f" (1/3 -> 0.33333333349).
 */
export function savedProbability(n: number): string {
  const written = Number((1 / n).toFixed(10));
  const stored = Math.round(written * 0x80000000); // p > 0, so round-half-up == lround
  return (stored / 0x80000000).toFixed(11);
}

// ---------------------------------------------------------------------------------------------
// decoding

export interface ChainNames {
  /** "KUBE-SVC-Y4T5L63IYP3YFEBS = Service podinfo/frontend-podinfo port http (tcp)", or undefined */
  decode(chain: string): string | undefined;
}

const FIXED: Record<string, string> = {
  "KUBE-SERVICES": "kube-proxy's entry chain: matches Service IPs and ports (ClusterIP, external IPs, load balancer IPs)",
  "KUBE-NODEPORTS": "kube-proxy's NodePort dispatch (nat), health check node ports (filter)",
  "KUBE-POSTROUTING": "kube-proxy's SNAT step: masquerades packets that carry the 0x4000 mark",
  "KUBE-MARK-MASQ": "kube-proxy's mark-for-masquerade chain (sets mark 0x4000)",
  "KUBE-FORWARD": "kube-proxy's FORWARD rules (drops INVALID, accepts marked and established traffic)",
  "KUBE-EXTERNAL-SERVICES": "kube-proxy's filter rules for external IPs / NodePorts without usable endpoints",
  "KUBE-PROXY-FIREWALL": "kube-proxy's loadBalancerSourceRanges firewall (drops what KUBE-FW-* did not accept)",
  "KUBE-FIREWALL": "blocks non-loopback packets to 127.0.0.0/8 (kube-proxy/kubelet, for localhost NodePorts)",
  "KUBE-PROXY-CANARY": "empty canary chain kube-proxy watches to notice a flushed table",
  "KUBE-KUBELET-CANARY": "empty canary chain kubelet watches to notice a flushed table",
  "KUBE-IPTABLES-HINT": "empty chain kubelet creates so tools can tell which iptables backend is in use",
};

interface PortInfo {
  spn: string;
  protocol: Proto;
}

function describePort(p: PortInfo): string {
  const i = p.spn.lastIndexOf(":");
  const slash = p.spn.indexOf("/");
  const named = i > slash;
  return named ? `Service ${p.spn.slice(0, i)} port ${p.spn.slice(i + 1)} (${p.protocol})` : `Service ${p.spn} (${p.protocol})`;
}

/** A table of chain names learnt from generated Services or from kube-proxy's comments. */
export class NameTable implements ChainNames {
  private readonly ports = new Map<string, PortInfo>(); // hash -> port
  private readonly endpoints = new Map<string, { port: PortInfo; endpoint: string }>(); // SEP chain

  addPort(spn: string, protocol: Proto): void {
    this.ports.set(portProtoHash(spn, protocol), { spn, protocol });
  }

  addEndpoint(spn: string, protocol: Proto, endpoint: string): void {
    this.endpoints.set(endpointChain(spn, protocol, endpoint), { port: { spn, protocol }, endpoint });
  }

  decode(chain: string): string | undefined {
    const fixed = FIXED[chain];
    if (fixed) return `${chain} = ${fixed}`;
    const m = /^KUBE-(SVC|SVL|EXT|FW|SEP)-([A-Z2-7]{16})$/.exec(chain);
    if (!m) return undefined;
    if (m[1] === "SEP") {
      const e = this.endpoints.get(chain);
      return e && `${chain} = endpoint ${e.endpoint} of ${describePort(e.port)}`;
    }
    const p = this.ports.get(m[2]!);
    if (!p) return undefined;
    const what = describePort(p);
    switch (m[1]) {
      case "SVC":
        return `${chain} = ${what}`;
      case "SVL":
        return `${chain} = ${what}, node-local endpoints only (traffic policy Local)`;
      case "EXT":
        return `${chain} = ${what}, traffic to its external addresses (NodePort, external IP, load balancer)`;
      default:
        return `${chain} = ${what}, loadBalancerSourceRanges firewall`;
    }
  }
}

const PROTOS: readonly Proto[] = ["tcp", "udp", "sctp"];

/** What a ruleset says about Service port names: chain names, and the names in comments. */
class NameEvidence {
  readonly known = new Set<string>();
  readonly candidates = new Set<string>();
  /** candidate spn -> endpoints seen */
  readonly endpoints = new Map<string, Set<string>>();

  endpoint(spn: string, ep: string) {
    let eps = this.endpoints.get(spn);
    if (!eps) this.endpoints.set(spn, (eps = new Set()));
    eps.add(ep);
  }

  /** A comment as kube-proxy writes them: "ns/svc:port -> 10.0.0.1:80", "ns/svc:port cluster IP"... */
  comment(c: string) {
    const arrow = /^(\S+) -> (\S+)$/.exec(c);
    if (arrow) {
      this.candidates.add(arrow[1]!);
      this.endpoint(arrow[1]!, arrow[2]!);
      return;
    }
    const word = /^(?:masquerade traffic for |pod traffic for |masquerade LOCAL traffic for |route LOCAL traffic for |other traffic to )?([^\s/]+\/[^\s]+)/.exec(c);
    if (word) this.candidates.add(word[1]!);
  }

  /** Every candidate checked against the chain hashes: nothing is guessed. */
  resolve(): ChainNames {
    const table = new NameTable();
    const hashes = new Set([...this.known].map((c) => c.slice(c.lastIndexOf("-") + 1)));
    // the protocols each candidate's KUBE-SVC hash confirms (three hashes a candidate)
    const protosOf = new Map<string, Proto[]>();
    for (const spn of this.candidates) {
      const protos = PROTOS.filter((proto) => hashes.has(portProtoHash(spn, proto)));
      for (const proto of protos) table.addPort(spn, proto);
      if (protos.length) protosOf.set(spn, protos);
    }
    // endpoints: hashed with the confirmed protocols only — or with each, when the Service's
    // KUBE-SVC chain is absent (large-cluster mode drops the SVC->SEP comments)
    for (const [spn, eps] of this.endpoints) {
      for (const proto of protosOf.get(spn) ?? PROTOS) for (const ep of eps) if (this.known.has(endpointChain(spn, proto, ep))) table.addEndpoint(spn, proto, ep);
    }
    return table;
  }
}

const KUBE_CHAIN = /^KUBE-(?:SVC|SVL|EXT|FW|SEP)-[A-Z2-7]{16}$/;

/**
 * Learn names from a ruleset kube-proxy wrote: its comments carry the service port name
 * ("ns/svc:port cluster IP", "ns/svc:port -> 10.0.0.1:80", "ns/svc:port" on KUBE-SEP rules, ...).
 * Every candidate name is checked against the chain hash it sits next to, so nothing is guessed.
 */
export function decodeFromRules(rulesText: string): ChainNames {
  const ev = new NameEvidence();
  for (const line of rulesText.split("\n")) {
    if (!line.includes("KUBE-")) continue;
    for (const m of line.matchAll(/KUBE-(?:SVC|SVL|EXT|FW|SEP)-[A-Z2-7]{16}/g)) ev.known.add(m[0]);
    if (!line.includes("--comment")) continue;
    for (const m of line.matchAll(/--comment (?:"((?:[^"\\]|\\.)*)"|(\S+))/g)) ev.comment((m[1] ?? m[2] ?? "").replace(/\\(.)/g, "$1"));
    const dnat = line.includes("--to-destination") ? /--comment (?:"([^"]*)"|(\S+)).*--to-destination (\S+)/.exec(line) : null;
    if (dnat) ev.endpoint(dnat[1] ?? dnat[2]!, dnat[3]!);
  }
  return ev.resolve();
}

/** What one rule says: the name in its comment, and for a DNAT rule the endpoint it goes to. */
function ruleEvidence(ev: NameEvidence, r: Rule): void {
  const comment = r.matches.find((m) => m.module.name === "comment")?.data as { text: string } | undefined;
  if (!comment) return;
  ev.comment(comment.text);
  if (r.target?.kind === "ext" && r.target.module.name === "DNAT") {
    const to = /--to-destination (\S+)/.exec(r.text);
    if (to) ev.endpoint(comment.text, to[1]!);
  }
}

/**
 * The same, read from a loaded ruleset's structure: chain names, comment matches and DNAT
 * rules, with no text to scan — a 10,000-Service node is decoded in a fraction of the time.
 */
export function decodeFromRuleset(rs: Ruleset): ChainNames {
  const ev = new NameEvidence();
  for (const t of rs.tables.values()) {
    for (const c of t.chains.values()) {
      if (KUBE_CHAIN.test(c.name)) ev.known.add(c.name);
      for (const r of c.rules) ruleEvidence(ev, r);
    }
  }
  return ev.resolve();
}

/**
 * decodeFromRuleset's answers, worked out chain by chain when asked.
 * - A KUBE-SEP chain is named by its own rules: kube-proxy (v1.28) writes the Service port on its
 *   DNAT rule whenever it writes it on the jumps to it, and on neither in large-cluster mode.
 * - A KUBE-SVC/SVL/EXT/FW chain by its own rules ("ns/svc:port cluster IP"), then by the rules
 *   that jump to it (KUBE-SERVICES' comments), then by anything in the whole ruleset.
 * Every name is checked against the chain's hash, so a name found is the name. On a
 * 10,000-Service node the first `continue` no longer hashes 100,000 endpoints (most of a second)
 * to name the three chains it shows.
 */
export class RulesetNames implements ChainNames {
  readonly #rs: Ruleset;
  readonly #decoded = new Map<string, string | undefined>();
  #whole?: ChainNames;

  constructor(rs: Ruleset) {
    this.#rs = rs;
  }

  decode(chain: string): string | undefined {
    if (FIXED[chain] || !KUBE_CHAIN.test(chain)) return new NameTable().decode(chain);
    if (this.#decoded.has(chain)) return this.#decoded.get(chain);
    const fromRules = (rules: Rule[]) => {
      const ev = new NameEvidence();
      ev.known.add(chain);
      for (const r of rules) ruleEvidence(ev, r);
      return ev.resolve().decode(chain);
    };
    let meaning = fromRules([...this.#rs.tables.values()].flatMap((t) => t.chains.get(chain)?.rules ?? []));
    if (meaning === undefined && !chain.startsWith("KUBE-SEP-")) meaning = fromRules(this.#callers(chain)) ?? (this.#whole ??= decodeFromRuleset(this.#rs)).decode(chain);
    this.#decoded.set(chain, meaning);
    return meaning;
  }

  /**
   * The rules that jump or go to `chain`, outside KUBE-SEP chains (they hold most of a node's
   * rules and, written by kube-proxy, jump only to KUBE-MARK-MASQ; a name missed here is still
   * found in the whole ruleset).
   */
  #callers(chain: string): Rule[] {
    const out: Rule[] = [];
    for (const t of this.#rs.tables.values())
      for (const c of t.chains.values()) {
        if (c.name.startsWith("KUBE-SEP-") || !jumpTargets(c).includes(chain)) continue;
        for (const r of c.rules) {
          const to = r.target;
          if ((to?.kind === "jump" || to?.kind === "goto") && to.chain === chain) out.push(r);
        }
      }
    return out;
  }
}
