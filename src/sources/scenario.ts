/**
 * Scenario files: a whole node a teacher can write by hand in YAML — its interfaces, routes,
 * policy rules, sysctls and sockets, its ruleset (iptables-save text or kube-proxy's rules for
 * some Services), its ipsets, a title and a first command to try. docs/scenarios.md is the
 * format's reference; scenarios/ holds the shipped ones (`load scenario services`).
 *
 * Why: before these, a node other than the article's needed a snapshot from a real host. A
 * scenario reuses every existing reader (parseRuleset, parseIpsetSave, the k8s generator, the
 * node model), and every mistake in it is reported as `file:line:column: field.path: problem`.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join as joinPath, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isSeq, type YAMLSeq } from "yaml";
import { ParseError, RuleError } from "../engine/parse/errors.js";
import { parseRuleset } from "../engine/parse/ruleset-parser.js";
import { parseIpsetSave } from "../engine/model/ipset.js";
import { inCidr, parseCidr, parseIp } from "../engine/model/ipv4.js";
import type { NodeModel } from "../engine/model/node.js";
import type { Ruleset } from "../engine/model/ruleset.js";
import { routeLookup } from "../engine/route/lookup.js";
import { CANNED } from "./canned/index.js";
import type { Io } from "./io.js";
import { DEFAULT_CLUSTER_CIDR, generateFromYaml, K8sInputError, type ChainNames, type K8sOptions } from "./k8s/index.js";
import { loadCanned, readSourceFile, SourceError, type LoadedSource } from "./load.js";
import { readNode } from "./scenario-node.js";
import { ScenarioDoc, type Field } from "./scenario-yaml.js";

export const SCENARIO_KEYS = ["title", "description", "hint", "seed", "base", "node", "ipsets", "ipsets_file", "rules", "rules_file", "kubernetes"] as const;
const K8S_KEYS = ["objects", "file", "cluster_cidr", "node_name", "node_ip", "cni"] as const;

/** The shipped scenarios' directory, found from this module: src/sources, dist/sources or the bundle in dist/. */
export function shippedScenarioDir(): string | undefined {
  for (const rel of ["../scenarios/", "../../scenarios/"]) {
    const dir = new URL(rel, import.meta.url);
    if (existsSync(new URL("article.yaml", dir))) return fileURLToPath(dir);
  }
  return undefined;
}

/** Names `load scenario NAME` accepts without a path. */
export function shippedScenarioNames(): string[] {
  const dir = shippedScenarioDir();
  if (!dir) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
}

/**
 * `article` → the shipped capture scenarios/captures/article.txt (the article's real
 * xtables-monitor output); anything with a slash or a dot is a path. Returns the path to read and
 * the name to show.
 */
export function captureFile(arg: string): { path: string; shown: string } {
  if (arg.includes("/") || arg.includes(".")) return { path: arg, shown: arg };
  const dir = shippedScenarioDir();
  const shipped = dir && existsSync(joinPath(dir, "captures", `${arg}.txt`));
  if (!dir || !shipped) {
    const names = dir && existsSync(joinPath(dir, "captures")) ? readdirSync(joinPath(dir, "captures")).filter((f) => f.endsWith(".txt")).map((f) => f.slice(0, -4)) : [];
    throw new SourceError(`no shipped capture "${arg}" (shipped: ${names.join(", ") || "none found"}); to replay your own file give its path, e.g. ./${arg}.txt`);
  }
  return { path: joinPath(dir, "captures", `${arg}.txt`), shown: `scenarios/captures/${arg}.txt` };
}

/** `services` → the shipped scenarios/services.yaml; anything with a slash or .yaml/.yml is a path. */
export function loadScenario(io: Io, arg: string): LoadedSource {
  let path = arg;
  let shown = arg;
  if (!arg.includes("/") && !/\.ya?ml$/.test(arg)) {
    const dir = shippedScenarioDir();
    const names = shippedScenarioNames();
    if (!dir || !names.includes(arg))
      throw new SourceError(`no shipped scenario "${arg}" (shipped: ${names.join(", ") || "none found"}); to load your own file give its path, e.g. ./${arg}.yaml`);
    path = joinPath(dir, `${arg}.yaml`);
    shown = `scenarios/${arg}.yaml`;
  }
  const text = readSourceFile(io, path, shown);
  return loadScenarioText(io, text, shown, dirname(resolve(path)));
}

/** Reads a scenario's text; `dir` is where its relative paths (rules_file, ...) start. */
export function loadScenarioText(io: Io, text: string, file: string, dir: string): LoadedSource {
  const other = otherFormat(text);
  if (other) throw new SourceError(`${file}:1:1: this is not a scenario but ${other}`);
  const y = new ScenarioDoc(text, file);
  const top = y.fields(y.root, SCENARIO_KEYS, ["title"]);
  const opt = (k: (typeof SCENARIO_KEYS)[number]) => top.get(k);
  const title = y.str(opt("title")!);
  const description = opt("description") && y.str(opt("description")!).trim();
  const hint = opt("hint") && y.str(opt("hint")!);
  const seed = opt("seed") && y.int(opt("seed")!, 0, 2 ** 31 - 1);
  const warnings: string[] = [];
  const notes: string[] = [];

  let base: LoadedSource | undefined;
  const baseField = opt("base");
  if (baseField) {
    const name = y.str(baseField);
    if (!CANNED[name]) y.fail(baseField, `no base "${name}" (bases: ${Object.keys(CANNED).join(", ")})`);
    base = loadCanned(name);
  }
  if (!baseField && !opt("node")) y.fail(y.root, `a scenario needs "node:" (its interfaces, routes, ...) or "base: article"`, "");

  const node = readNode(y, opt("node"), base?.node, warnings);

  both(y, opt("ipsets"), opt("ipsets_file"));
  const ipsets = opt("ipsets");
  const ipsetsFile = opt("ipsets_file");
  if (ipsets) node.ipsets = embedded(y, ipsets, (t) => parseIpsetSave(t, file));
  if (ipsetsFile) {
    const f = readRelative(io, y, ipsetsFile, dir);
    node.ipsets = parseIpsetSave(f.text, f.shown);
  }

  both(y, opt("rules"), opt("rules_file"));
  const rules = opt("rules");
  const rulesFile = opt("rules_file");
  const k8s = opt("kubernetes");
  if (k8s && (rules || rulesFile))
    y.fail(k8s, `makes the whole ruleset, so it cannot come with "${rules ? "rules" : "rules_file"}": add a CNI's chains with kubernetes.cni, or save the generated rules (ktrace-repl --scenario FILE -e save > node.rules), edit them and use rules_file`, "kubernetes");
  let ruleset: Ruleset | undefined;
  let names: ChainNames | undefined;
  if (rules) ruleset = embedded(y, rules, (t) => parseRuleset(t, { file }));
  if (rulesFile) {
    const f = readRelative(io, y, rulesFile, dir);
    ruleset = parseRuleset(f.text, { file: f.shown });
  }
  if (k8s) {
    const gen = readKubernetes(io, y, k8s, dir, node, warnings);
    ruleset = parseRuleset(gen.rules, { file: `${file} (kube-proxy rules generated from kubernetes)` });
    names = gen.names;
    notes.push("`save` prints the rules kube-proxy would write for these Services");
  }
  ruleset ??= base?.ruleset ?? parseRuleset("", { file });
  if (!rules && !rulesFile && !k8s && !base) notes.push("no rules: every chain is empty and every packet is accepted");
  if (description) notes.unshift(description); // `show source` says it again

  return {
    kind: "scenario",
    name: file,
    title,
    ruleset,
    node,
    notes,
    warnings,
    ...(hint !== undefined ? { hint } : {}),
    ...(description ? { description } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(names ? { names } : {}),
  };
}

/** Files people may give --scenario by mistake, and where they belong. */
function otherFormat(text: string): string | undefined {
  const head = text.replace(/^(\s*#[^\n]*\n|\s*\n)*/, "");
  if (text.startsWith("# ktrace snapshot v1")) return "a snapshot: load it with --snapshot FILE (load snapshot FILE)";
  if (/^(\*(raw|mangle|nat|filter|security)\s*$|:\S+ \S+ \[\d+:\d+\])/m.test(head.split("\n")[0] ?? "")) return "iptables-save output: load it with --rules FILE, or put it in a scenario under rules: |";
  if (/^(apiVersion|kind):/m.test(text) && !/^title:/m.test(text)) return "Kubernetes objects: load them with --k8s FILE, or put them in a scenario under kubernetes.objects (docs/scenarios.md)";
  return undefined;
}

function both(y: ScenarioDoc, a: Field | undefined, b: Field | undefined) {
  if (a && b) y.fail(b, `give the text inline or a file, not both`, b.path);
}

/**
 * Parses text embedded in the scenario, so that its errors name the scenario's own line and
 * column: exact for a block (`rules: |`), the value's start otherwise.
 */
function embedded<T>(y: ScenarioDoc, f: Field, parse: (text: string) => T): T {
  const text = y.str(f);
  const o = y.embeddedOrigin(f);
  try {
    return parse(text);
  } catch (e) {
    if (e instanceof ParseError) {
      if (o.exact) throw new ParseError(y.file, o.line + e.line - 1, o.col + e.column - 1, e.token, `${f.path}: ${e.detail}`);
      throw new ParseError(y.file, o.line, o.col, e.token, `${f.path} (line ${e.line} of the text): ${e.detail}`);
    }
    if (e instanceof RuleError) throw new RuleError(y.file, o.exact ? o.line + e.line - 1 : o.line, `${f.path}${o.exact ? "" : ` (line ${e.line} of the text)`}: ${e.detail}`);
    throw e;
  }
}

function readRelative(io: Io, y: ScenarioDoc, f: Field, dir: string): { text: string; shown: string } {
  const rel = y.str(f);
  const path = resolve(dir, rel);
  const shown = rel.startsWith("/") ? rel : joinPath(dirname(y.file), rel);
  try {
    return { text: io.readFile(path), shown };
  } catch (e) {
    return y.fail(f, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message} (paths are relative to the scenario file)`);
  }
}

function readKubernetes(io: Io, y: ScenarioDoc, f: Field, dir: string, node: NodeModel, warnings: string[]) {
  const k = y.fields(f, K8S_KEYS);
  const objects = k.get("objects");
  const file = k.get("file");
  if (!objects && !file) y.fail(f, `needs "objects" (Services and EndpointSlices) or "file" (kubectl get svc,endpointslices -A -o yaml output)`, "kubernetes");
  both(y, objects, file);
  const opts: K8sOptions = {};
  const cidrField = k.get("cluster_cidr");
  if (cidrField) {
    opts.clusterCidr = y.str(cidrField);
    if (!/^[\d.]+\/\d{1,2}$/.test(opts.clusterCidr) || !parseCidr(opts.clusterCidr)) y.fail(cidrField, `"${opts.clusterCidr}" is not an IPv4 CIDR (e.g. 10.42.0.0/16)`);
  }
  const nodeName = k.get("node_name");
  if (nodeName) opts.nodeName = y.str(nodeName);
  const nodeIp = k.get("node_ip");
  if (nodeIp) {
    opts.nodeIp = y.str(nodeIp);
    if (parseIp(opts.nodeIp) === undefined) y.fail(nodeIp, `"${opts.nodeIp}" is not an IPv4 address`);
  }
  const cni = k.get("cni");
  if (cni) {
    const v = y.str(cni);
    if (v !== "calico" && v !== "flannel" && v !== "none") y.fail(cni, `"${v}" is not a CNI ktrace knows (calico, flannel or none)`);
    opts.cni = v;
  }
  let gen: ReturnType<typeof generateFromYaml>;
  if (file) {
    const t = readRelative(io, y, file, dir);
    try {
      gen = generateFromYaml(t.text, t.shown, opts);
    } catch (e) {
      if (e instanceof K8sInputError) throw new SourceError(e.message);
      throw e;
    }
  } else gen = generateInline(y, objects!, opts);
  warnEndpoints(node, gen.endpoints, opts.clusterCidr ?? DEFAULT_CLUSTER_CIDR, warnings);
  return gen;
}

const LABEL = "<kubernetes.objects>";

/** objects as a YAML list (each Service / EndpointSlice at its line) or as pasted kubectl text. */
function generateInline(y: ScenarioDoc, f: Field, opts: K8sOptions) {
  const asList = isSeq(f.node);
  let text: string;
  try {
    text = asList ? JSON.stringify({ apiVersion: "v1", kind: "List", items: (f.node as YAMLSeq).toJSON() }) : y.str(f);
  } catch (e) {
    // an alias without its anchor (or an alias bomb) fails only when the list becomes plain data
    return y.fail(f, `not valid YAML: ${(e as Error).message.split("\n")[0]}`, "");
  }
  try {
    return generateFromYaml(text, LABEL, opts);
  } catch (e) {
    if (!(e instanceof K8sInputError)) throw e;
    const msg = e.message.startsWith(LABEL) ? e.message.slice(LABEL.length).replace(/^:\s*/, "") : e.message;
    const item = /^item (\d+)( \([^)]*\))?: ([^:]+): (.*)$/s.exec(msg);
    if (item && asList) {
      const n = Number(item[1]) - 1;
      const itemField = { node: (f.node as YAMLSeq).items[n] as Field["node"], path: `${f.path}[${n}]` };
      const at = dig(itemField, item[3]!);
      y.fail({ node: at.node, path: `${itemField.path}.${item[3]}` }, `${item[4]}${item[2] ? ` (in ${item[2].trim().slice(1, -1)})` : ""}`, "");
    }
    const line = /^:?(\d+): (.*)$/s.exec(msg);
    if (line) {
      const o = y.embeddedOrigin(f);
      throw new ParseError(y.file, o.exact ? o.line + Number(line[1]) - 1 : o.line, o.col, "", `${f.path}: ${line[2]}`);
    }
    return y.fail(f, msg, "");
  }
}

/** The deepest node a k8s field path (`spec.ports[0].port`) reaches inside an object. */
function dig(f: Field, path: string): Field {
  let cur = f;
  for (const part of path.split(/\.|(?=\[)/)) {
    const key: string | number = /^\[(\d+)\]$/.test(part) ? Number(part.slice(1, -1)) : part.replace(/^\["?|"?\]$/g, "");
    const n = cur.node as { get?: (k: unknown, keepScalar: boolean) => unknown } | null | undefined;
    const next = n && typeof n.get === "function" ? (n.get(key, true) as Field["node"]) : undefined;
    if (!next) break;
    cur = { node: next, path: cur.path };
  }
  return cur;
}

/** As loadK8s says it: endpoints this node would send to its default route or a blackhole. */
function warnEndpoints(node: NodeModel, endpoints: string[], cidrText: string, warnings: string[]) {
  const cidr = parseCidr(cidrText);
  const unrouted: string[] = [];
  const blackholed: string[] = [];
  for (const text of endpoints) {
    const ip = parseIp(text);
    if (ip === undefined || !cidr || !inCidr(ip, cidr)) continue;
    const r = routeLookup(node, { dst: ip, mark: 0 });
    if (r.outcome === "unicast" && r.route?.dst.prefix === 0) unrouted.push(text);
    if (r.outcome === "blackhole") blackholed.push(text);
  }
  const some = (l: string[]) => `${l.slice(0, 3).join(", ")}${l.length > 3 ? ", ..." : ""}`;
  if (unrouted.length) warnings.push(`${node.hostname} has no pod route for ${unrouted.length} endpoint address${unrouted.length === 1 ? "" : "es"} (${some(unrouted)}): packets to them leave by the default route (\`show routes\`)`);
  if (blackholed.length) warnings.push(`${blackholed.length} endpoint address${blackholed.length === 1 ? " is" : "es are"} blackholed on ${node.hostname} (${some(blackholed)}): in its own pod block but not one of its pods (\`show routes\`)`);
}
