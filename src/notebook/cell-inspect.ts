/**
 * Shift-Tab in a notebook cell: what the word under the cursor is — a command (its help), a chain
 * (which Service a KUBE-* name belongs to, and its rules), a table, an iptables match or target,
 * a rule of the loaded ruleset, an interface or an address.
 *
 * Why: a learner meets `KUBE-SVC-Y4T5L63IYP3YFEBS` or `-m statistic` in a cell and should not have
 * to leave it to find out what it is. Every answer comes from the same commands and tables the
 * REPL uses (explain chain, help, route get, the extension registry), never from text another
 * renderer produced.
 */
import type { Session } from "../lang/session.js";
import type { Word } from "../lang/words.js";
import { splitWords } from "../lang/words.js";
import { findCommand } from "../lang/commands/index.js";
import { TABLE_NAMES, type TableName } from "../engine/model/ruleset.js";
import { MATCHES, TARGETS, PROTO_MATCH } from "../engine/ext/registry.js";
import { parseProtocol } from "../engine/parse/protocols.js";
import { formatIp, parseIp } from "../engine/model/ipv4.js";
import { listChainLikeIptables } from "../format/list.js";
import type { AnyMatch, AnyTarget } from "../engine/ext/types.js";
import { splitCell } from "./cell-lines.js";
import { toUtf16 } from "./cell-complete.js";

export interface InspectReply {
  status: "ok";
  found: boolean;
  data: Record<string, string>;
  metadata: Record<string, unknown>;
}

const TABLE_ROLE: Record<TableName, string> = {
  raw: "raw: runs first (priority -300), before conntrack looks at the packet; NOTRACK, CT and TRACE rules live here",
  mangle: "mangle: changes packet fields and marks (MARK, TOS, TTL); in OUTPUT a changed mark reroutes the packet",
  nat: "nat: consulted for the first packet of a connection only; DNAT in PREROUTING/OUTPUT, SNAT/MASQUERADE in POSTROUTING/INPUT; later packets follow the conntrack entry",
  filter: "filter: accepts or drops (INPUT, FORWARD, OUTPUT); where firewalls live",
  security: "security: SELinux/MAC marking after filter (priority 50)",
};

const HOOK_ROLE: Record<string, string> = {
  PREROUTING: "the PREROUTING hook: every packet arriving on an interface, before the routing decision",
  INPUT: "the INPUT hook: packets routed to this node itself",
  FORWARD: "the FORWARD hook: packets routed through this node to somewhere else (pods on another node, …)",
  OUTPUT: "the OUTPUT hook: packets generated on this node (a curl run on the node), before they leave",
  POSTROUTING: "the POSTROUTING hook: every packet about to leave by an interface, after routing; SNAT/MASQUERADE happen here",
};

/** Runs a command object directly (not through runLine: inspecting must not enter the history). */
function ask(s: Session, name: string, args: string[]): string | undefined {
  const c = findCommand(name);
  if (!c) return undefined;
  try {
    return c.run(s, args.map((text, i): Word => ({ text, col: i + 1 }))).text;
  } catch {
    return undefined;
  }
}

function found(text: string): InspectReply {
  return { status: "ok", found: true, data: { "text/plain": text }, metadata: {} };
}

const NOT_FOUND: InspectReply = { status: "ok", found: false, data: {}, metadata: {} };

function describeModule(m: AnyMatch | AnyTarget, option?: string): string {
  const kind = m.kind === "match" ? `-m ${m.name}` : `-j ${m.name}`;
  const opts = m.options.map((o) => `  --${o.name}${o.aliases?.length ? ` (also ${o.aliases.map((a) => `--${a}`).join(", ")})` : ""}${o.help ? `: ${o.help}` : ""}`);
  const head = option ? `--${option} of ${kind} (${m.kind} extension ${m.name})` : `${kind}: the ${m.name} ${m.kind} extension`;
  return [head, `usage: ${kind} ${m.help}`, ...(opts.length ? ["options:", ...opts] : [])].join("\n");
}

/** The chain: what it is, which tables hold it, and its rules as iptables -L lists them. */
function describeChain(s: Session, name: string, detail: number): string | undefined {
  const tables = [...s.engine.ruleset.tables.values()].filter((t) => t.chains.has(name));
  const kube = /^KUBE-(SVC|SVL|EXT|FW|SEP)-[A-Z2-7]{16}$/.test(name);
  if (!tables.length) {
    if (!kube && !name.startsWith("KUBE-")) return undefined;
    const meaning = s.names.decode(name);
    return [meaning ?? `${name}: a kube-proxy chain name, but not one the loaded ruleset's comments explain`, `(no table of the loaded ruleset has a chain ${name})`].join("\n");
  }
  const lines: string[] = [];
  const explained = ask(s, "explain", ["chain", name]) ?? name;
  const unnamed = /^.* is not a chain ktrace can name \(no kube-proxy comment or hash points to it\)\n/;
  if (HOOK_ROLE[name] && unnamed.test(explained)) lines.push(`${name}: a built-in chain, ${HOOK_ROLE[name]}`, explained.replace(unnamed, ""));
  else lines.push(explained);
  const max = detail > 0 ? Infinity : 8;
  for (const t of tables) {
    const listed = listChainLikeIptables(s.engine.ruleset, t.name, name, { verbose: true, lineNumbers: true, counters: s.countersAtCursor() });
    lines.push("", `# iptables -t ${t.name} -L ${name} -n -v --line-numbers`);
    lines.push(...listed.slice(0, max + 2));
    if (listed.length > max + 2) lines.push(`… ${listed.length - max - 2} more rules (Shift-Tab again for all, or show chain ${t.name} ${name})`);
  }
  if (kube) lines.push("", "(kube-proxy names these chains with a hash: the first 16 base32 characters of sha256(service port name + protocol [+ endpoint]); ktrace checked it against the rules' comments)");
  return lines.join("\n");
}

/** A rule typed or pasted in the cell (`-A CHAIN …`, `iptables -t nat -A CHAIN …`): its parts, and where it sits in the ruleset. */
function describeRule(s: Session, words: string[], line: string): string | undefined {
  const a = words.findIndex((w) => /^-[AID]$/.test(w) || w === "--append" || w === "--insert" || w === "--delete");
  if (a < 0 || !words[a + 1]) return undefined;
  const chain = words[a + 1]!;
  const ti = words.indexOf("-t");
  const table = (ti >= 0 ? words[ti + 1] : undefined) as TableName | undefined;
  let rest = words.slice(a + 2);
  if (words[a] !== "-A" && /^\d+$/.test(rest[0] ?? "")) rest = rest.slice(1);
  const lines = [`a rule of chain ${chain}${table ? ` (table ${table})` : ""}:`];
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    const v = rest[i + 1];
    if (w === "-m" && v && MATCHES.has(v)) lines.push(`  -m ${v}: ${MATCHES.get(v)!.help}`);
    else if (w === "-j" && v) {
      const target = TARGETS.get(v);
      const chain = target ? undefined : describeChain(s, v, 0)?.split("\n")[0];
      lines.push(target ? `  -j ${v}: the ${v} target (${target.help})` : chain?.startsWith(`${v} = `) ? `  -j ${chain}` : `  -j ${v}: jump to chain ${v}`);
    }
    else if ((w === "-s" || w === "-d") && v) lines.push(`  ${w} ${v}: the packet's ${w === "-s" ? "source" : "destination"} address is in ${v}`);
    else if (w === "-p" && v) lines.push(`  -p ${v}: protocol ${v}`);
    else if ((w === "-i" || w === "-o") && v) lines.push(`  ${w} ${v}: ${w === "-i" ? "arriving on" : "leaving by"} interface ${v}`);
    else if (w === "!") lines.push("  ! negates the test after it");
  }
  // the rule as the cell spells it (quotes kept), after "-A CHAIN", compared with the saved text
  const spaced = (t: string) => t.trim().replace(/\s+/g, " ");
  const at = new RegExp(`(?:^|\\s)${words[a]!.replace(/[-]/g, "\\-")}\\s+${chain.replace(/[^\w]/g, "\\$&")}\\s+(?:\\d+\\s+)?`).exec(line);
  const text = spaced(at ? line.slice(at.index + at[0].length) : rest.join(" "));
  for (const t of s.engine.ruleset.tables.values()) {
    if (table && t.name !== table) continue;
    const c = t.chains.get(chain);
    const i = c?.rules.findIndex((r) => spaced(r.text) === text) ?? -1;
    if (c && i >= 0) {
      const cnt = s.countersAtCursor().get(c.rules[i]!);
      lines.push(`it is rule #${i + 1} of ${t.name} ${chain} in the loaded ruleset${cnt ? ` (matched ${cnt[0]} packets so far)` : ""}`);
    }
  }
  return lines.join("\n");
}

/** An address: the node's own, a Service's ClusterIP, a Service's endpoint — and its route. */
function describeAddress(s: Session, ip: number): string {
  const text = formatIp(ip);
  const lines: string[] = [];
  const owner = s.engine.node.interfaces.find((i) => i.addrs.some((a) => a.ip === ip));
  if (owner) lines.push(`${text} is an address of this node (${owner.name})`);
  const is32 = (c: { value: { addr: number; prefix: number }; negated: boolean } | undefined) => c && !c.negated && c.value.prefix === 32 && c.value.addr === ip;
  const nat = s.engine.ruleset.tables.get("nat");
  nat?.chains.get("KUBE-SERVICES")?.rules.forEach((r, i) => {
    const t = r.target;
    const port = /--dport (\d+)/.exec(r.text)?.[1];
    if (is32(r.dst) && t && (t.kind === "jump" || t.kind === "goto")) lines.push(`${text}${port ? ` port ${port}` : ""} is a Service address: nat KUBE-SERVICES rule #${i + 1} sends it to ${s.names.decode(t.chain) ?? t.chain}`);
  });
  for (const c of nat?.chains.values() ?? [])
    if (c.name.startsWith("KUBE-SEP-") && c.rules.some((r) => is32(r.src))) lines.push(`${text} is an endpoint (a pod): ${s.names.decode(c.name) ?? c.name}`);
  if (!lines.length) lines.push(text);
  const route = ask(s, "route", ["get", text]);
  if (route) lines.push(`ip route get ${text}:`, ...route.split("\n").map((l) => `  ${l}`));
  return lines.join("\n");
}

/** The word around the cursor (or ending at it), with where it starts. */
function wordAt(code: string, at: number): { word: string; start: number } | undefined {
  let start = at;
  while (start > 0 && !/\s/.test(code[start - 1]!)) start--;
  let end = at;
  while (end < code.length && !/\s/.test(code[end]!)) end++;
  const word = code.slice(start, end).replace(/^"|"$/g, "").replace(/[,;]$/, "");
  return word ? { word, start } : undefined;
}

export function inspectCell(s: Session, code: string, cursorPos: number, detail = 0): InspectReply {
  const at = toUtf16(code, cursorPos);
  const w = wordAt(code, at);
  if (!w) return NOT_FOUND;
  const { word } = w;
  const cmdBefore = splitCell(code.slice(0, w.start)).pop()?.text ?? "";
  let before: string[] = [];
  try {
    before = splitWords(cmdBefore).map((x) => x.text);
  } catch {
    /* an open quote: no context */
  }
  const whole = splitCell(code.slice(0, at) + code.slice(at).split("\n")[0]).pop()?.text ?? "";
  let words: string[] = [];
  try {
    words = splitWords(whole).map((x) => x.text);
  } catch {
    /* as above */
  }
  const prev = before[before.length - 1];

  if (before.length === 0) {
    const c = findCommand(word);
    if (c) return found(ask(s, "help", [c.name]) ?? c.summary);
    if (word === "-A" || word === "-I") return found(describeRule(s, words, whole) ?? "");
  }
  if (prev === "-m" && MATCHES.has(word)) return found(describeModule(MATCHES.get(word)!));
  if (prev === "-j" && TARGETS.has(word)) return found(describeModule(TARGETS.get(word)!));
  if (word.startsWith("--")) {
    const opt = word.slice(2);
    const mods: (AnyMatch | AnyTarget)[] = [];
    words.forEach((x, i) => {
      const v = words[i + 1];
      if (x === "-m" && v && MATCHES.has(v)) mods.push(MATCHES.get(v)!);
      if (x === "-j" && v && TARGETS.has(v)) mods.push(TARGETS.get(v)!);
      const proto = x === "-p" && v ? PROTO_MATCH[parseProtocol(v) ?? -1] : undefined;
      if (proto && MATCHES.has(proto)) mods.push(MATCHES.get(proto)!);
    });
    const m = mods.reverse().find((x) => x.options.some((o) => o.name === opt || o.aliases?.includes(opt)));
    if (m) return found(describeModule(m, opt));
  }
  const chain = describeChain(s, word, detail);
  if (chain) return found(chain);
  if ((TABLE_NAMES as readonly string[]).includes(word)) {
    const t = s.engine.ruleset.tables.get(word as TableName);
    return found([`the ${TABLE_ROLE[word as TableName]}`, t ? `chains: ${t.order.join(", ")}` : `(the loaded ruleset has no ${word} table)`].join("\n"));
  }
  const iface = s.engine.node.interfaces.find((i) => i.name === word);
  if (iface) return found(`${iface.name}: interface ${iface.index} of ${s.engine.node.hostname}, mtu ${iface.mtu}, ${iface.up ? "up" : "down"}, link ${iface.mac}${iface.addrs.map((a) => `\n  inet ${formatIp(a.ip)}/${a.prefix}`).join("")}`);
  const ip = parseIp(word.replace(/:\d+$/, ""));
  if (ip !== undefined && /^\d+\.\d+\.\d+\.\d+(:\d+)?$/.test(word)) return found(describeAddress(s, ip));
  if (words.some((x) => /^-[AID]$/.test(x))) {
    const r = describeRule(s, words, whole);
    if (r) return found(r);
  }
  return NOT_FOUND;
}
