/**
 * Completion candidates drawn from the loaded node and ruleset: addresses, interfaces, tables,
 * chains.
 *
 * Why: a learner should be able to Tab their way to `KUBE-SVC-Y4T5L63IYP3YFEBS`. On a node of
 * 100,000 chains a Tab must not scan and sort every name again: the ruleset's chain names and
 * destination hosts are sorted once per ruleset (the session forgets them when the rules change),
 * and a prefix is a binary search into them.
 */
import type { Session } from "./session.js";
import { formatIp } from "../engine/model/ipv4.js";
import { TABLE_NAMES } from "../engine/model/ruleset.js";
import { destinationHosts } from "../engine/model/loaded-chain.js";
import { lowerBound } from "../engine/sorted.js";

export function prefixFilter(words: Iterable<string>, partial: string): string[] {
  const out: string[] = [];
  for (const w of words) if (w.startsWith(partial)) out.push(w);
  return out.sort();
}

/** The words of a sorted list that start with `partial`: a binary search, then the run of them. */
export function sortedPrefix(sorted: readonly string[], partial: string): string[] {
  const lo = lowerBound(sorted, partial);
  let end = lo;
  while (end < sorted.length && sorted[end]!.startsWith(partial)) end++;
  return sorted.slice(lo, end);
}

/** A sorted list of the ruleset's words, made once per ruleset (see Session.completionWords). */
function rulesetWords(s: Session, key: string, collect: (add: (w: string) => void) => void): readonly string[] {
  let words = s.completionWords.get(key);
  if (!words) {
    const all = new Set<string>();
    collect((w) => all.add(w));
    s.completionWords.set(key, (words = [...all].sort()));
  }
  return words;
}

export function completeAddress(s: Session, partial: string): string[] {
  const hosts = rulesetWords(s, "hosts", (add) => {
    for (const t of s.engine.ruleset.tables.values()) for (const c of t.chains.values()) for (const host of destinationHosts(c)) add(formatIp(host));
  });
  const addrs = new Set(sortedPrefix(hosts, partial));
  for (const i of s.engine.node.interfaces) for (const a of i.addrs) addrs.add(formatIp(a.ip));
  return prefixFilter(addrs, partial);
}

export function completeTable(s: Session, partial: string): string[] {
  return prefixFilter(TABLE_NAMES.filter((t) => s.engine.ruleset.tables.has(t)), partial);
}

export function completeChain(s: Session, table: string | undefined, partial: string): string[] {
  const names = rulesetWords(s, `chains ${table ?? ""}`, (add) => {
    for (const t of s.engine.ruleset.tables.values()) if (!table || t.name === table) for (const c of t.chains.keys()) add(c);
  });
  return sortedPrefix(names, partial);
}

export function completeInterface(s: Session, partial: string): string[] {
  return prefixFilter(s.engine.node.interfaces.map((i) => i.name), partial);
}
