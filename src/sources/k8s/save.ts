/**
 * Collects rules per table and chain and prints them as `iptables-nft-save` (v1.8.9) prints them
 * after a restore.
 *
 * Why: the generated ruleset must be byte-for-byte what a learner would get from `iptables-save`
 * on a node, so that diffs, handles and traces line up with the real kernel. Measured on this
 * machine (kernel scenario 28, test/kernel/scenarios/28-k8s-generated-cluster.json): tables
 * print in the order mangle, raw, filter, nat (the nft backend's table enum), every builtin chain of a present table is printed, user chains follow
 * in byte order, and rules print chain by chain in that same order. A --comment value is quoted
 * unless it is made only of letters, digits, "-" and "_".
 */

import { BUILTIN_CHAINS } from "../../engine/model/ruleset.js";
import { saveString } from "../../engine/parse/tokenize.js";
import { formatIp, parseCidr } from "../../engine/model/ipv4.js";

export type TableName = "mangle" | "raw" | "filter" | "nat";

const TABLE_ORDER: readonly TableName[] = ["mangle", "raw", "filter", "nat"];

/** The builtin chains of each table, as the engine knows them. */
const BUILTINS: Record<TableName, readonly string[]> = BUILTIN_CHAINS;

/** `--comment` value as iptables-save prints it (xtables_save_string, as the engine saves it). */
export const quote = saveString;

/** `-m comment --comment X` in save form. */
export const comment = (s: string) => `-m comment --comment ${quote(s)}`;

/** An address or CIDR as save prints it: a prefix length always, host bits cleared. */
export function cidr(s: string): string {
  const c = parseCidr(s.includes("/") ? s : `${s}/32`);
  if (!c) throw new Error(`not an IPv4 address or CIDR: ${s}`);
  return `${formatIp(c.addr)}/${c.prefix}`;
}

export class TableText {
  private readonly chainSet = new Set<string>();
  private readonly rules = new Map<string, string[]>();

  constructor(readonly name: TableName) {}

  chain(name: string): this {
    if (!BUILTINS[this.name].includes(name)) this.chainSet.add(name);
    return this;
  }

  has(name: string): boolean {
    return this.chainSet.has(name);
  }

  /** Append a rule (save form without the leading `-A CHAIN `). */
  add(chain: string, body: string): void {
    this.chain(chain);
    let list = this.rules.get(chain);
    if (!list) this.rules.set(chain, (list = []));
    list.push(body);
  }

  /** Put rules in front of a chain's existing rules (another agent's `-I CHAIN 1`). */
  prepend(chain: string, bodies: string[]): void {
    this.chain(chain);
    this.rules.set(chain, [...bodies, ...(this.rules.get(chain) ?? [])]);
  }

  render(): string {
    const user = [...this.chainSet].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const order = [...BUILTINS[this.name], ...user];
    const out = [`*${this.name}`];
    for (const c of BUILTINS[this.name]) out.push(`:${c} ACCEPT [0:0]`);
    for (const c of user) out.push(`:${c} - [0:0]`);
    for (const c of order) for (const r of this.rules.get(c) ?? []) out.push(r ? `-A ${c} ${r}` : `-A ${c}`);
    out.push("COMMIT");
    return out.join("\n") + "\n";
  }
}

export class Tables {
  private readonly tables = new Map<TableName, TableText>();

  get(name: TableName): TableText {
    let t = this.tables.get(name);
    if (!t) this.tables.set(name, (t = new TableText(name)));
    return t;
  }

  render(header: string[]): string {
    const body = TABLE_ORDER.filter((n) => this.tables.has(n)).map((n) => this.tables.get(n)!.render());
    return header.map((h) => `# ${h}\n`).join("") + body.join("");
  }
}
