/**
 * Completion candidates drawn from the loaded node and ruleset: addresses, interfaces, tables,
 * chains.
 *
 * Why: a learner should be able to Tab their way to `KUBE-SVC-Y4T5L63IYP3YFEBS`; chain names
 * are read from the loaded ruleset each time (a scan: issue 11 makes it fast at 100,000 chains).
 */
import type { Session } from "./session.js";
import { formatIp } from "../engine/model/ipv4.js";
import { TABLE_NAMES } from "../engine/model/ruleset.js";
import { destinationHosts } from "../engine/model/loaded-chain.js";

export function prefixFilter(words: Iterable<string>, partial: string): string[] {
  const out: string[] = [];
  for (const w of words) if (w.startsWith(partial)) out.push(w);
  return out.sort();
}

export function completeAddress(s: Session, partial: string): string[] {
  const addrs = new Set<string>();
  for (const i of s.engine.node.interfaces) for (const a of i.addrs) addrs.add(formatIp(a.ip));
  for (const t of s.engine.ruleset.tables.values())
    for (const c of t.chains.values())
      for (const host of destinationHosts(c)) addrs.add(formatIp(host));
  return prefixFilter(addrs, partial);
}

export function completeTable(s: Session, partial: string): string[] {
  return prefixFilter(TABLE_NAMES.filter((t) => s.engine.ruleset.tables.has(t)), partial);
}

export function completeChain(s: Session, table: string | undefined, partial: string): string[] {
  const names = new Set<string>();
  for (const t of s.engine.ruleset.tables.values()) if (!table || t.name === table) for (const c of t.chains.keys()) names.add(c);
  return prefixFilter(names, partial);
}

export function completeInterface(s: Session, partial: string): string[] {
  return prefixFilter(s.engine.node.interfaces.map((i) => i.name), partial);
}
