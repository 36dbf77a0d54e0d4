/**
 * Turns a source (canned name, rules file, snapshot, live host) into a ruleset plus node.
 *
 * Why: every front end loads the same way and gets the same errors. A bare rules file runs on
 * the article's node, so `--rules x.v4` works without describing interfaces.
 */
import { parseRuleset, parseRulesetSteps, type ParseProgress } from "../engine/parse/ruleset-parser.js";
import { runToEnd } from "../engine/steps.js";
import { inCidr, parseCidr, parseIp } from "../engine/model/ipv4.js";
import { routeLookup } from "../engine/route/lookup.js";
import type { Ruleset } from "../engine/model/ruleset.js";
import type { NodeModel } from "../engine/model/node.js";
import { parseIpsetSave } from "../engine/model/ipset.js";
import { buildNode, NodeDataError } from "./ip-json.js";
import { CANNED } from "./canned/index.js";
import { parseSs, SsParseError } from "./ss.js";
import { parseSnapshot, parseSysctl, writeSnapshot, type SectionName } from "./snapshot.js";
import { applyNftHandles } from "./nft-handles.js";
import type { Io } from "./io.js";
import { CONNTRACK_SYSCTLS } from "../engine/conntrack/table.js";
import { DEFAULT_CLUSTER_CIDR, generateFromYamlSteps, K8sInputError, type ChainNames, type K8sOptions } from "./k8s/index.js";

export interface LoadedSource {
  kind: "canned" | "rules" | "snapshot" | "live" | "k8s" | "scenario";
  name: string;
  title: string;
  ruleset: Ruleset;
  node: NodeModel;
  hint?: string;
  notes: string[];
  /** What KUBE-* chains are; learned from comments when the source does not know better. */
  names?: ChainNames;
  /** Things that look wrong about the input (said once when loading). */
  warnings?: string[];
  /** A scenario's own words about itself (shown on load) and the seed it asks for. */
  description?: string;
  seed?: number;
}

export class SourceError extends Error {}

/** A source file's text, or a SourceError that says why it cannot be read. */
export function readSourceFile(io: Io, path: string, shown = path): string {
  try {
    return io.readFile(path);
  } catch (e) {
    throw new SourceError(`cannot read ${shown}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
}

function articleNode(): NodeModel {
  const c = CANNED.article!;
  const node = buildNode({ hostname: c.hostname, addrJson: c.addrJson, routeJson: c.routeJson, ruleJson: c.ruleJson, sysctl: c.sysctl });
  node.ipsets = parseIpsetSave(c.ipsets, "canned:article ipsets");
  return node;
}

export function loadCanned(name: string): LoadedSource {
  const c = CANNED[name];
  if (!c) throw new SourceError(`no canned scenario "${name}" (available: ${Object.keys(CANNED).join(", ")})`);
  const node = buildNode({ hostname: c.hostname, addrJson: c.addrJson, routeJson: c.routeJson, ruleJson: c.ruleJson, sysctl: c.sysctl });
  node.ipsets = parseIpsetSave(c.ipsets, `canned:${name} ipsets`);
  return { kind: "canned", name, title: c.title, ruleset: parseRuleset(c.rules, { file: `canned:${name}` }), node, hint: c.hint, notes: [] };
}

export function loadRulesFile(io: Io, path: string): LoadedSource {
  return runToEnd(loadRulesFileSteps(io, path));
}

/** loadRulesFile in slices, with the parser's progress (see parseRulesetSteps). */
export function* loadRulesFileSteps(io: Io, path: string): Generator<ParseProgress, LoadedSource, void> {
  const text = readSourceFile(io, path);
  const ruleset = yield* parseRulesetSteps(text, { file: path });
  return {
    kind: "rules",
    name: path,
    title: `${path} on the article's node (enp3s0 192.168.1.88/24, vxlan.calico 10.42.135.130/32)`,
    ruleset,
    node: articleNode(),
    notes: [],
  };
}

/** Services + EndpointSlices YAML → kube-proxy's rules, on the article's node. */
export function loadK8s(io: Io, path: string, opts: K8sOptions = {}): LoadedSource {
  return runToEnd(loadK8sSteps(io, path, opts));
}

/**
 * loadK8s in slices: first the stage (reading the objects and writing the rules: seconds on a
 * 10,000-Service cluster, with no count to show), then the parser's progress over the rules.
 */
export function* loadK8sSteps(io: Io, path: string, opts: K8sOptions = {}): Generator<ParseProgress, LoadedSource, void> {
  const text = readSourceFile(io, path);
  yield { done: 0, total: 0, stage: "reading the Services and EndpointSlices" };
  let gen;
  try {
    const steps = generateFromYamlSteps(text, path, opts);
    for (;;) {
      const r = steps.next();
      if (r.done) {
        gen = r.value;
        break;
      }
      yield { ...r.value, stage: "writing kube-proxy's rules", unit: "Service ports" };
    }
  } catch (e) {
    if (e instanceof K8sInputError) throw new SourceError(e.message);
    throw e;
  }
  const ruleset = yield* parseRulesetSteps(gen.rules, { file: `${path} (generated)` });
  const node = articleNode();
  const cidrText = opts.clusterCidr ?? DEFAULT_CLUSTER_CIDR;
  const cidr = parseCidr(cidrText);
  const outside = new Set<string>();
  const unrouted = new Set<string>();
  const blackholed = new Set<string>();
  for (const text of gen.endpoints) {
    const ip = parseIp(text);
    if (ip === undefined || !cidr) continue;
    if (!inCidr(ip, cidr)) outside.add(text);
    else {
      const route = routeLookup(node, { dst: ip, mark: 0 });
      if (route.outcome === "unicast" && route.route?.dst.prefix === 0) unrouted.add(text);
      if (route.outcome === "blackhole") blackholed.add(text);
    }
  }
  const some = (set: Set<string>) => `${[...set].slice(0, 3).join(", ")}${set.size > 3 ? ", ..." : ""}`;
  const warnings: string[] = [];
  if (outside.size)
    warnings.push(`${outside.size} endpoint address${outside.size === 1 ? " is" : "es are"} outside the cluster CIDR ${cidrText} (${some(outside)}): pass --cluster-cidr (or load k8s FILE cidr CIDR) if your pods use another range`);
  if (unrouted.size)
    warnings.push(`the article's node has no pod route for ${unrouted.size} endpoint address${unrouted.size === 1 ? "" : "es"} (${some(unrouted)}): it knows 10.42.54.192/26, 10.42.217.64/26 and its own pods, so packets to the others leave by the default route via 192.168.1.1 (\`show routes\`)`);
  if (blackholed.size)
    warnings.push(`${blackholed.size} endpoint address${blackholed.size === 1 ? " is" : "es are"} in the article's node's own pod block but not one of its pods (${some(blackholed)}): its blackhole route drops packets to them (\`show routes\`)`);
  return {
    kind: "k8s",
    name: path,
    title: `kube-proxy rules for ${path} (cluster CIDR ${cidrText}${opts.cni && opts.cni !== "none" ? `, ${opts.cni}` : ""}) on the article's node`,
    ruleset,
    node,
    names: gen.names,
    notes: ["`save` prints the generated rules"],
    warnings,
  };
}

export function loadSnapshotText(text: string, file: string): LoadedSource {
  return runToEnd(loadSnapshotTextSteps(text, file));
}

/** loadSnapshotText in slices, with the parser's progress over its iptables-save section. */
export function* loadSnapshotTextSteps(text: string, file: string): Generator<ParseProgress, LoadedSource, void> {
  const s = parseSnapshot(text, file);
  const get = (n: SectionName) => s.get(n)?.body;
  const ipt = s.get("iptables-save")!;
  // errors in the embedded ruleset point at the snapshot's own line numbers
  const ruleset = yield* parseRulesetSteps("\n".repeat(ipt.line - 1) + ipt.body, { file });
  let node: NodeModel;
  try {
    node = buildNode({
      hostname: get("hostname")?.trim(),
      addrJson: get("ip -j addr")!,
      routeJson: get("ip -j route show table all")!,
      ruleJson: get("ip -j rule"),
      sysctl: get("sysctl") ? parseSysctl(get("sysctl")!) : undefined,
    });
  } catch (e) {
    if (e instanceof NodeDataError) throw new SourceError(`${file}: ${e.message}`);
    throw e;
  }
  const ipset = get("ipset save");
  if (ipset) node.ipsets = parseIpsetSave("\n".repeat(s.get("ipset save")!.line - 1) + ipset, file);
  const ss = s.get("ss -Hlntu");
  if (ss) {
    try {
      node.listeners = parseSs(ss.body, file, ss.line);
    } catch (e) {
      if (e instanceof SsParseError) throw new SourceError(e.message);
      throw e;
    }
  }
  const notes: string[] = [];
  const nft = get("nft -a list ruleset");
  if (nft) notes.push(`rule handles from nft -a (${applyNftHandles(ruleset, nft)} rules)`);
  return { kind: "snapshot", name: file, title: `snapshot of ${node.hostname} (${file})`, ruleset, node, notes };
}

export function loadSnapshot(io: Io, path: string): LoadedSource {
  return runToEnd(loadSnapshotSteps(io, path));
}

export function* loadSnapshotSteps(io: Io, path: string): Generator<ParseProgress, LoadedSource, void> {
  const text = readSourceFile(io, path);
  return yield* loadSnapshotTextSteps(text, path);
}

/** The sysctls that change the walk, besides conntrack's (CONNTRACK_SYSCTLS). */
const NODE_SYSCTLS = ["net.ipv4.ip_forward", "net.ipv4.conf.all.rp_filter", "net.netfilter.nf_conntrack_max"];

/** Reads the host, read-only: iptables-save (nft or legacy), ip -j ..., ipset save, nft -a, ss, sysctls. */
export function probeHost(io: Io): string {
  const run = (cmd: string, args: string[], required: boolean): string | undefined => {
    const r = io.exec(cmd, args);
    if (r.missing) {
      if (required) throw new SourceError(`live mode needs "${cmd}", which is not installed (Debian: apt-get install ${cmd.startsWith("ip") && cmd !== "ipset" ? (cmd === "ip" ? "iproute2" : "iptables") : cmd})`);
      return undefined;
    }
    if (r.code !== 0) {
      const perm = /ermission denied|Operation not permitted|must be root/i.test(r.stderr);
      if (required) throw new SourceError(`${cmd} ${args.join(" ")} failed${perm ? " (live mode must run as root: try sudo)" : ""}: ${r.stderr.trim().split("\n")[0] ?? ""}`);
      return undefined;
    }
    return r.stdout;
  };
  if (!io.isRoot()) throw new SourceError("live mode reads the host's netfilter state and must run as root (try: sudo ktrace-repl --live)");
  // nft or legacy: take whichever backend holds rules (nft first, as modern distributions use it)
  const nftSave = run("iptables-nft-save", [], false);
  const legacySave = run("iptables-legacy-save", [], false);
  const has = (t?: string) => t !== undefined && /^\*/m.test(t);
  let save = has(nftSave) ? nftSave : has(legacySave) ? legacySave : (nftSave ?? legacySave ?? run("iptables-save", [], true));
  save ??= "";
  const sysctl = [...NODE_SYSCTLS, ...CONNTRACK_SYSCTLS]
    .map((k) => {
      try {
        return `${k} = ${io.readFile(`/proc/sys/${k.replace(/\./g, "/")}`).trim()}`;
      } catch {
        return undefined;
      }
    })
    .filter(Boolean)
    .join("\n");
  let hostname = "";
  try {
    hostname = io.readFile("/proc/sys/kernel/hostname").trim();
  } catch {
    hostname = "host";
  }
  return writeSnapshot({
    hostname,
    "iptables-save": save,
    "ip -j addr": run("ip", ["-j", "addr"], true),
    "ip -j route show table all": run("ip", ["-j", "route", "show", "table", "all"], true),
    "ip -j rule": run("ip", ["-j", "rule"], false),
    "ipset save": run("ipset", ["save"], false),
    "nft -a list ruleset": has(nftSave) ? run("nft", ["-a", "list", "ruleset"], false) : undefined,
    "ss -Hlntu": run("ss", ["-Hlntu"], false),
    sysctl,
  });
}

export function loadLive(io: Io): LoadedSource {
  const src = loadSnapshotText(probeHost(io), "live");
  return { ...src, kind: "live", name: "live", title: `live host ${src.node.hostname}` };
}
