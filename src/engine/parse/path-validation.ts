/**
 * The kernel's check of every path from a base chain when a table is committed: no jump loop,
 * at most 15 nested jumps, and no extension reachable from a hook that refuses it — and, when
 * the check fails, which rule the kernel blames.
 *
 * Why: a restore file and the iptables command both change a table, and the kernel refuses the
 * change that makes a bad path, with "Too many links" or "Invalid argument". The fast proof
 * (provablyValid) reads each chain once, even a chain not built yet; the slow walk
 * (findViolation) runs only to name the rule to blame.
 */
import { RuleError } from "./errors.js";
import type { Chain, Rule, Table } from "../model/ruleset.js";
import { chainModules, jumpTargets, type RuleModule } from "../model/loaded-chain.js";
import type { Hook } from "../walk/hooks.js";

/** Linux: NFT_JUMP_STACK_SIZE — 15 nested jumps from a base chain are fine, a 16th is not. */
export const MAX_JUMP_DEPTH = 15;

export interface Violation {
  rule: Rule; // the rule on the bad path (refined to the one that completed it)
  errno: string;
  detail: string;
}

/**
 * Linux: nft_chain_validate — walk every chain reachable from a base chain, carrying the hook it
 * is reachable from and the depth; loops and more than 15 nested jumps fail with EMLINK ("Too
 * many links"), targets and matches are checked against the hook. Only `usable` rules count, so
 * the caller can ask "was the ruleset still valid after the first k rules?".
 */
export function findViolation(table: Table, usable: (r: Rule) => boolean): Violation | undefined {
  // A chain already checked for a hook at a depth >= this one needs no second walk. (Keyed by
  // the chain object, one map per hook: a "hook chain" string key built per visit cost seconds.)
  const seenByHook = new Map<Hook, Map<Chain, number>>();
  const onStack = new Set<Chain>();
  const visit = (chain: Chain, hook: Hook, depth: number): Violation | undefined => {
    let seen = seenByHook.get(hook);
    if (!seen) seenByHook.set(hook, (seen = new Map()));
    if ((seen.get(chain) ?? -1) >= depth) return undefined;
    seen.set(chain, depth);
    onStack.add(chain);
    try {
    for (const rule of chain.rules) {
      if (!usable(rule)) continue;
      const refused = refusedInHook(rule, hook);
      if (refused) return { rule, errno: "Invalid argument", detail: refused };
      const t = rule.target;
      if (t?.kind === "jump" || t?.kind === "goto") {
        const next = table.chains.get(t.chain)!;
        if (onStack.has(next)) return { rule, errno: "Too many links", detail: `jump loop back to ${next.name}` };
        if (depth + 1 > MAX_JUMP_DEPTH) return { rule, errno: "Too many links", detail: `more than ${MAX_JUMP_DEPTH} nested jumps from ${hook}` };
        const v = visit(next, hook, depth + 1);
        if (v) return v;
      }
    }
    return undefined;
    } finally {
      onStack.delete(chain);
    }
  };
  for (const name of table.order) {
    const chain = table.chains.get(name)!;
    if (!chain.builtin) continue;
    const v = visit(chain, name as Hook, 0);
    if (v) return v;
  }
  return undefined;
}

/**
 * The kernel checks each rule as the batch adds it, so the rule it blames is the first one (in
 * file order) after which a bad path exists — possibly the `-A INPUT -j c1` at the very end.
 */
export function validatePaths(table: Table, file: string) {
  if (provablyValid(table)) return;
  const all = findViolation(table, () => true);
  if (!all) return;
  // the rules in the order the file added them (a line's rules are one chain's, in its order)
  const added = [...table.chains.values()].flatMap((c) => c.rules.map((rule) => ({ rule, line: rule.origin.line })));
  added.sort((x, y) => x.line - y.line);
  const order = new Map<Rule, number>();
  added.forEach((a, i) => order.set(a.rule, i));
  let lo = 0;
  let hi = added.length; // invariant: the first `hi` rules violate, the first `lo` do not
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (findViolation(table, (r) => (order.get(r) ?? Infinity) < mid)) hi = mid;
    else lo = mid;
  }
  const blamed = added[hi - 1]!;
  const v = findViolation(table, (r) => (order.get(r) ?? Infinity) < hi) ?? all;
  throw new RuleError(file, blamed.line, `RULE_APPEND failed (${v.errno}): rule in chain ${blamed.rule.chain} (${v.detail})`);
}

const HOOK_BITS: Hook[] = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

/**
 * The common case, proved fast: no loop, no path deeper than MAX_JUMP_DEPTH, no hook-restricted
 * extension reachable from a hook that refuses it. When this says true, findViolation would find
 * nothing; when false, findViolation walks again to name the rule to blame.
 * Why: findViolation follows jumps rule by rule, touching the rules in jump order, scattered in
 * memory — 700,000 rule visits, about two seconds, on a 10,000-Service node. This reads each
 * chain's rules once, in file order, into a small graph of chain numbers, and reasons on that.
 */
export function provablyValid(table: Table): boolean {
  const chains = [...table.chains.values()];
  // by name: a jump's chain is the chain's own name string (interned at COMMIT), one lookup a jump
  const number = new Map<string, number>();
  chains.forEach((c, i) => number.set(c.name, i));
  const jumps: number[][] = [];
  // what a chain's extensions allow, worked out once per list of extensions (unbuilt chains with
  // the same extensions share one list): bit `1 << hook` set when a target's hook list excludes
  // the hook; RULES_DECIDE when an extension's options decide it (allowedIn), rule by rule
  const RULES_DECIDE = 1 << HOOK_BITS.length;
  const refusalsOf = new Map<readonly RuleModule[], number>();
  const refusals: number[] = [];
  for (const c of chains) {
    jumps.push(jumpTargets(c).map((name) => number.get(name)!));
    const modules = chainModules(c);
    let r = refusalsOf.get(modules);
    if (r === undefined) {
      r = 0;
      for (const m of modules) {
        if (m.allowedIn) r |= RULES_DECIDE;
        for (const [b, hook] of HOOK_BITS.entries()) if (hookListRefuses(m, hook)) r |= 1 << b;
      }
      refusalsOf.set(modules, r);
    }
    refusals.push(r);
  }
  // heights (the longest run of jumps below a chain), depth first without recursion; a chain met
  // again while still open is a loop
  const height = new Int32Array(chains.length).fill(-1);
  const open = new Uint8Array(chains.length);
  // (from the base chains only: a loop among chains no hook reaches is no violation)
  for (let root = 0; root < chains.length; root++) {
    if (!chains[root]!.builtin || height[root]! >= 0) continue;
    const stack: [number, number][] = [[root, 0]];
    open[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [c, k] = top;
      const js = jumps[c]!;
      if (k < js.length) {
        top[1]++;
        const n = js[k]!;
        if (open[n]) return false;
        if (height[n]! < 0) {
          open[n] = 1;
          stack.push([n, 0]);
        }
        continue;
      }
      let h = 0;
      for (const n of js) h = Math.max(h, height[n]! + 1);
      height[c] = h;
      open[c] = 0;
      stack.pop();
    }
  }
  // which hooks reach each chain, as bits
  const mask = new Uint8Array(chains.length);
  for (const [i, c] of chains.entries()) {
    if (!c.builtin) continue;
    const hook = HOOK_BITS.indexOf(c.name as Hook);
    if (hook < 0) continue;
    if (height[i]! > MAX_JUMP_DEPTH) return false;
    const bit = 1 << hook;
    const reach = [i];
    while (reach.length) {
      const n = reach.pop()!;
      if (mask[n]! & bit) continue;
      mask[n]! |= bit;
      for (const m of jumps[n]!) if (!(mask[m]! & bit)) reach.push(m);
    }
  }
  // the chains with hook-restricted extensions, checked against the hooks that reach them: by
  // their targets' hook lists (DNAT in every KUBE-SEP chain) without building their rules, and
  // rule by rule where options decide (addrtype's --limit-iface-in)
  for (let i = 0; i < chains.length; i++) {
    const r = refusals[i]!;
    if (!r || !mask[i]) continue;
    if (r & mask[i]!) return false;
    if (r & RULES_DECIDE) for (const rule of chains[i]!.rules) for (const [b, hook] of HOOK_BITS.entries()) if (mask[i]! & (1 << b) && refusedInHook(rule, hook)) return false;
  }
  return true;
}

/** A target's hook list (xt_target.hooks) leaves `hook` out: refused whatever its options. */
function hookListRefuses(m: RuleModule, hook: Hook): boolean {
  return m.kind === "target" && m.hooks !== undefined && !m.hooks.includes(hook);
}

/**
 * Why the kernel refuses this rule in a chain reached from `hook` (a target's hooks or
 * checkentry, a match's allowedIn), in its words; undefined when it accepts it.
 */
function refusedInHook(rule: Rule, hook: Hook): string | undefined {
  const t = rule.target;
  if (t?.kind === "ext" && hookListRefuses(t.module, hook)) return `${t.module.name} is not allowed in the ${hook} hook; valid: ${t.module.hooks!.join(", ")}`;
  const m = rule.matches.find((x) => x.module.allowedIn && !x.module.allowedIn(x.data, hook))?.module.name;
  if (m) return `-m ${m} cannot be used in the ${hook} hook`;
  if (t?.kind === "ext" && t.module.allowedIn && !t.module.allowedIn(t.data, hook)) return `-j ${t.module.name} with these options cannot be used in the ${hook} hook`;
  return undefined;
}

