/**
 * The engine's whole mutable world: ruleset, node, conntrack, per-rule state, rng and clock.
 *
 * Why: every packet reads and updates it; keeping it in one cloneable value makes `stats`
 * (many draws from one copy of the node) and reproducible traces straightforward. No I/O lives here.
 */
import type { Ruleset } from "./model/ruleset.js";
import type { NodeModel } from "./model/node.js";
import { cloneConntrack, emptyConntrack, type ConntrackTable } from "./conntrack/table.js";
import { createRng, type Rng } from "./rng.js";
import type { StateStore } from "./ext/types.js";
import { chainModules } from "./model/loaded-chain.js";

export interface EngineState {
  ruleset: Ruleset;
  node: NodeModel;
  conntrack: ConntrackTable;
  store: StateStore;
  rng: Rng;
  /** simulated milliseconds */
  now: number;
  /** Is nf_conntrack active in this netns? (only when some rule needs it) */
  conntrackOn: boolean;
  /** per-packet counter for IP ids of `send` */
  nextIpId: number;
}

/** With any rule whose extension calls nf_ct_netns_get loaded, conntrack runs (usesConntrack). */
export function rulesetNeedsConntrack(rs: Ruleset): boolean {
  for (const t of rs.tables.values()) for (const c of t.chains.values()) if (chainModules(c).some((m) => m.usesConntrack)) return true;
  return false;
}

export function createEngine(ruleset: Ruleset, node: NodeModel, seed = 1, conntrackOn?: boolean): EngineState {
  const rng = createRng(seed);
  return {
    ruleset,
    node,
    conntrack: emptyConntrack(),
    store: new Map(),
    rng,
    now: 1_000_000,
    conntrackOn: conntrackOn ?? rulesetNeedsConntrack(ruleset),
    nextIpId: (rng.u32() & 0xffff) || 1,
  };
}

export function cloneEngine(e: EngineState): EngineState {
  return { ...e, conntrack: cloneConntrack(e.conntrack), store: structuredCloneStore(e.store), rng: e.rng.clone() };
}

function structuredCloneStore(s: StateStore): StateStore {
  const out: StateStore = new Map();
  for (const [k, v] of s) out.set(k, v instanceof Map ? new Map([...v].map(([a, b]) => [a, structuredClone(b)])) : structuredClone(v));
  return out;
}
