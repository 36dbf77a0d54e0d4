/**
 * Reads the real rule handles from `nft -a list ruleset` and pins them on a parsed ruleset.
 *
 * Why: on a live node handles come from years of incremental updates, not from a fresh restore;
 * xtables-monitor prints them, so `--live` must use the kernel's numbers when nft can tell them.
 * The k-th rule of a chain in `nft -a` output is the k-th rule iptables-save prints.
 * It also tells which built-in chains exist: iptables-nft-save prints every built-in chain of a
 * table, but iptables-nft creates one only when a rule or a restore uses it, and a chain that
 * does not exist prints no `policy:` line in a trace (measured).
 */
import type { Ruleset, TableName } from "../engine/model/ruleset.js";
import { ruleCount, setRuleHandle } from "../engine/model/loaded-chain.js";

export function applyNftHandles(rs: Ruleset, nftText: string): number {
  let table: TableName | undefined;
  let chain: string | undefined;
  let index = 0;
  let applied = 0;
  const seen = new Map<TableName, Set<string>>();
  for (const line of nftText.split("\n")) {
    const t = /^table ip (\S+) \{/.exec(line);
    if (t) {
      table = t[1] as TableName;
      seen.set(table, new Set());
      continue;
    }
    const c = /^\s*chain (\S+) \{ # handle (\d+)/.exec(line);
    if (c && table) {
      chain = c[1]!.replace(/^"|"$/g, "");
      seen.get(table)?.add(chain);
      index = 0;
      const ch = rs.tables.get(table)?.chains.get(chain);
      if (ch) ch.handle = Number(c[2]);
      continue;
    }
    if (/^\s*type \w+ hook/.test(line) || /^\s*}/.test(line) || !table || !chain) continue;
    const h = / # handle (\d+)\s*$/.exec(line);
    if (!h) continue;
    // (without building the chain's rules: a big node's live ruleset stays lines until read)
    const ch = rs.tables.get(table)?.chains.get(chain);
    if (ch && index < ruleCount(ch)) {
      setRuleHandle(ch, index, Number(h[1]));
      applied++;
    }
    index++;
  }
  for (const [name, chains] of seen) {
    const t = rs.tables.get(name);
    if (!t) continue;
    for (const c of [...t.chains.values()]) {
      if (c.builtin && !chains.has(c.name) && ruleCount(c) === 0) {
        t.chains.delete(c.name);
        t.order = t.order.filter((n) => n !== c.name);
      }
    }
  }
  return applied;
}
