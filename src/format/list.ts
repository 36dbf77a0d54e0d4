/**
 * `iptables -t TABLE -L CHAIN -n [-v] [--line-numbers]`, byte for byte.
 *
 * Why: learners compare what ktrace shows with what their node shows, and the node shows
 * `iptables -L -n -v`. This is iptables' own layout (xshared.c print_header / print_rule_details
 * / print_fragment / print_ifaces / print_ipv4_addresses, and each libxt_*.c print()), checked
 * against raw captures of iptables 1.8.9 (nf_tables) in test/fixtures/list/ (see capture.sh).
 *
 * One version difference is an option: iptables 1.8.9 alone prints the prot column as numbers
 * under -n ("6", "0"); 1.8.8 and 1.8.10+ print the names of iptables' own table ("tcp", "all",
 * other protocols as numbers; upstream commit 34f085b1 reverted the 1.8.9 change). Names are the
 * default, `protoNumbers: true` gives the 1.8.9 output.
 */
import type { Chain, Rule, Ruleset, TableName } from "../engine/model/ruleset.js";
import { formatIp, type Cidr } from "../engine/model/ipv4.js";
import { jumpTargets } from "../engine/model/loaded-chain.js";

export type Count = number | bigint;

export interface ListOptions {
  /** -v: counters, in/out columns, policy counters in the header. */
  verbose: boolean;
  /** -x: exact counters ("%8llu") instead of K/M/G units. */
  exact?: boolean;
  /** --line-numbers: the num column. */
  lineNumbers: boolean;
  /** Packet and byte counters of rules and chains (a chain's entry is its policy counter). Absent: 0. */
  counters?: Map<Rule | Chain, readonly [Count, Count]>;
  /** Print the prot column as numbers, as iptables 1.8.9 does with -n (default: names). */
  protoNumbers?: boolean;
}

/** libxtables xtables_chain_protos: the only names `-L -n` prints (others stay numbers). */
const CHAIN_PROTOS: [string, number][] = [
  ["tcp", 6], ["sctp", 132], ["udp", 17], ["udplite", 136], ["icmp", 1], ["ipv6-icmp", 58], ["icmpv6", 58],
  ["esp", 50], ["ah", 51], ["mobility-header", 135], ["ipv6-mh", 135], ["mh", 135], ["all", 0],
];

function protoText(n: number, numbers: boolean): string {
  if (numbers) return String(n);
  return CHAIN_PROTOS.find(([, v]) => v === n)?.[0] ?? String(n);
}

const U64 = 1n << 64n;

/**
 * libxtables xtables_print_num with FMT_KILOMEGAGIGA (no -x): "%5llu " up to 99999, then K/M/G/T
 * with rounding ((n + 500) / 1000 in 64-bit unsigned arithmetic, so it wraps like the C does).
 * `table` false is FMT_NOTABLE (the policy counters in the header): no padding.
 */
export function formatCount(value: Count, table = true, exact = false): string {
  let n = BigInt(value) % U64;
  if (n < 0n) n += U64;
  if (exact) return table ? `${String(n).padStart(8)} ` : `${n} `;
  const out = (digits: bigint, unit: string) => {
    const s = `${digits}${unit}`;
    return table ? `${s.padStart(5)} ` : `${s} `;
  };
  if (n <= 99999n) return out(n, "");
  for (const unit of ["K", "M", "G"]) {
    n = ((n + 500n) % U64) / 1000n;
    if (n <= 9999n) return out(n, unit);
  }
  n = ((n + 500n) % U64) / 1000n;
  return out(n, "T");
}

/** xtables_ipaddr_to_numeric + xtables_ipmask_to_numeric: "10.0.0.1", "10.0.0.0/8", "1.0.0.0/255.0.255.0". */
function addrText(c: Cidr | undefined): string {
  if (!c) return "0.0.0.0/0";
  if (c.mask >>> 0 === 0xffffffff) return formatIp(c.addr);
  return c.prefix >= 0 ? `${formatIp(c.addr)}/${c.prefix}` : `${formatIp(c.addr)}/${formatIp(c.mask)}`;
}

function targetName(r: Rule): string {
  const t = r.target;
  if (!t) return "";
  if (t.kind === "verdict") return t.name;
  if (t.kind === "jump" || t.kind === "goto") return t.chain;
  return t.module.listName ?? t.module.name;
}

/** How many rules of the table jump or go to `chain` (the "(N references)" of a user chain). */
export function chainReferences(ruleset: Ruleset, table: TableName, chain: string): number {
  let n = 0;
  for (const c of ruleset.tables.get(table)?.chains.values() ?? []) for (const to of jumpTargets(c)) if (to === chain) n++;
  return n;
}

/** Every chain's references, in one pass over the table (listing 100,000 chains asks 100,000 times). */
function allReferences(ruleset: Ruleset, table: TableName): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of ruleset.tables.get(table)?.chains.values() ?? []) for (const to of jumpTargets(c)) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

/** The header line and the column header line; `references`: the chain's, when already counted. */
function listHeader(ruleset: Ruleset, table: TableName, chain: Chain, opts: ListOptions, references?: number): string[] {
  let head = `Chain ${chain.name}`;
  if (chain.builtin) {
    head += ` (policy ${chain.policy ?? "ACCEPT"}`;
    if (opts.verbose) {
      const [p, b] = opts.counters?.get(chain) ?? [0, 0];
      head += ` ${formatCount(p, false, opts.exact)}packets, ${formatCount(b, false, opts.exact)}bytes`;
    }
    head += ")";
  } else {
    head += ` (${references ?? chainReferences(ruleset, table, chain.name)} references)`;
  }
  let cols = opts.lineNumbers ? `${"num".padEnd(4)} ` : "";
  if (opts.verbose) cols += opts.exact ? `${"pkts".padStart(8)} ${"bytes".padStart(10)} ` : `${"pkts".padStart(5)} ${"bytes".padStart(5)} `;
  cols += `${"target".padEnd(9)} `;
  cols += " prot opt";
  if (opts.verbose) cols += ` ${"in".padEnd(6)} ${"out".padEnd(6)} `;
  cols += ` ${"source".padEnd(19)} `;
  cols += ` ${"destination".padEnd(19)} `;
  return [head, cols];
}

/** One rule line (print_rule_details, print_fragment, print_ifaces, addresses, matches, target). */
export function listRule(rule: Rule, num: number, opts: ListOptions): string {
  let s = opts.lineNumbers ? `${String(num).padEnd(4)} ` : "";
  if (opts.verbose) {
    const [p, b] = opts.counters?.get(rule) ?? [0, 0];
    s += formatCount(p, true, opts.exact) + formatCount(b, true, opts.exact);
  }
  s += `${targetName(rule).padEnd(9)} `;
  s += rule.proto?.negated ? "!" : " ";
  s += `${protoText(rule.proto?.value ?? 0, opts.protoNumbers ?? false).padEnd(4)} `;
  s += `${rule.frag?.negated ? "!" : "-"}${rule.frag ? "f" : "-"} `;
  if (opts.verbose) {
    const iif = rule.iif ? `${rule.iif.negated ? "!" : ""}${rule.iif.value}` : "*";
    const oif = rule.oif ? `${rule.oif.negated ? "!" : ""}${rule.oif.value}` : "*";
    s += ` ${iif.padEnd(6)} ${oif.padEnd(6)} `;
  }
  s += `${rule.src?.negated ? "!" : " "}${addrText(rule.src?.value).padEnd(19)} `;
  s += `${rule.dst?.negated ? "!" : " "}${addrText(rule.dst?.value).padEnd(19)} `;
  if (rule.target?.kind === "goto") s += "[goto] ";
  for (const m of rule.matches) {
    const text = m.module.list?.(m.data) ?? m.module.name;
    if (text) s += ` ${text}`;
  }
  if (rule.target?.kind === "ext") {
    const text = rule.target.module.list?.(rule.target.data) ?? "";
    if (text) s += ` ${text}`;
  }
  return s;
}

/**
 * The lines `iptables -t TABLE -L CHAIN -n` prints (with -v and --line-numbers as asked), without
 * newlines; trailing spaces kept. Throws when the table or chain does not exist.
 */
export function listChainLikeIptables(ruleset: Ruleset, table: TableName, chain: string, opts: ListOptions, references?: number): string[] {
  const c = ruleset.tables.get(table)?.chains.get(chain);
  if (!c) throw new Error(`iptables: No chain/target/match by that name.`);
  const out = listHeader(ruleset, table, c, opts, references);
  c.rules.forEach((r, i) => out.push(listRule(r, i + 1, opts)));
  return out;
}

/** `iptables -L` of several chains (a whole table): each chain's lines, a blank line between. */
export function listChainsLikeIptables(ruleset: Ruleset, table: TableName, chains: readonly string[], opts: ListOptions): string[] {
  const refs = chains.length > 1 ? allReferences(ruleset, table) : undefined;
  const out: string[] = [];
  for (let i = 0; i < chains.length; i++) {
    if (i) out.push("");
    for (const line of listChainLikeIptables(ruleset, table, chains[i]!, opts, refs && (refs.get(chains[i]!) ?? 0))) out.push(line);
  }
  return out;
}
