/**
 * An exact index over a long chain of "destination, protocol, port" rules — kube-proxy's
 * KUBE-SERVICES, KUBE-NODEPORTS — so a packet skips, untested, the rules it provably misses.
 *
 * Why: on a node with 10,000 Services a packet to the last one tests 10,000 rules; the kernel
 * does, and it costs it microseconds, but it cost ktrace milliseconds a packet. A rule is
 * "dispatchable" when all it tests is `-d ADDR/32`, optionally `-p PROTO`, and matches that say
 * (through `exactKey`) they test only one destination port or nothing; any other rule is a
 * barrier. From a dispatchable rule the walk jumps to the first later rule that is a barrier or
 * whose key is the packet's (its destination, protocol and port, or a wildcard of them): every
 * rule in between tests a destination, protocol or port the packet does not have, so misses —
 * which is what the linear walk would find, rule by rule. Those rules have no effects to skip
 * (exactKey matches are pure). The linear walk stays the reference, and test/engine compares
 * both on random rulesets.
 */
import type { Chain, Rule } from "../model/ruleset.js";
import type { Packet } from "../model/packet.js";
import { PROTO_NUM } from "../model/packet.js";
import { lowerBound } from "../sorted.js";

/** Chains shorter than this are walked rule by rule: the index would not pay for itself. */
export const DISPATCH_MIN_RULES = 256;

interface DispatchIndex {
  /**
   * The chain's rules array it was built from, frozen: edits (iptables -A/-I/-D/-F) give a chain
   * a new array, so a different array means "index again" — an O(1) test per call, where
   * comparing 10,000 rules one by one cost a tenth of a millisecond a packet.
   */
  rules: readonly Rule[];
  /** For each rule, the first rule at or after it that is a barrier (rules.length if none). */
  nextBarrier: Int32Array;
  /** Dispatchable rules by key ("dst/proto/dport", "*" for any), their positions ascending. */
  byKey: Map<string, number[]>;
}

const indexes = new WeakMap<Chain, DispatchIndex>();
const keys = new WeakMap<Rule, string | null>();

/** keyOf, worked out once per rule (rules do not change; an edited chain gets new rules). */
function ruleKey(r: Rule): string | undefined {
  let k = keys.get(r);
  if (k === undefined) keys.set(r, (k = keyOf(r) ?? null));
  return k ?? undefined;
}

/** The rule's key, or undefined when it is a barrier. */
function keyOf(r: Rule): string | undefined {
  if (r.src || r.iif || r.oif || r.frag || !r.dst || r.dst.negated || r.dst.value.prefix !== 32) return undefined;
  if (r.proto?.negated) return undefined;
  const proto = r.proto && r.proto.value !== 0 ? String(r.proto.value) : "*";
  let dport: number | undefined;
  for (const m of r.matches) {
    const k = m.module.exactKey?.(m.data);
    if (!k) return undefined;
    if (k.dport !== undefined) {
      if (dport !== undefined) return undefined;
      dport = k.dport;
    }
  }
  return `${r.dst.value.addr}/${proto}/${dport ?? "*"}`;
}

function build(rules: readonly Rule[]): DispatchIndex {
  // an edit in place would leave the index stale: frozen, such an edit throws instead
  Object.freeze(rules);
  const nextBarrier = new Int32Array(rules.length + 1);
  const byKey = new Map<string, number[]>();
  nextBarrier[rules.length] = rules.length;
  const ks = rules.map(ruleKey);
  for (let i = rules.length - 1; i >= 0; i--) nextBarrier[i] = ks[i] === undefined ? i : nextBarrier[i + 1]!;
  ks.forEach((k, i) => {
    if (k === undefined) return;
    let list = byKey.get(k);
    if (!list) byKey.set(k, (list = []));
    list.push(i);
  });
  return { rules, nextBarrier, byKey };
}

function indexOf(chain: Chain, rules: readonly Rule[]): DispatchIndex {
  let idx = indexes.get(chain);
  if (!idx || idx.rules !== rules) {
    idx = build(rules);
    indexes.set(chain, idx);
  }
  return idx;
}

/** The first position in `list` (ascending) at or after `from`; Infinity when none. */
function firstAtLeast(list: number[] | undefined, from: number): number {
  if (!list) return Infinity;
  const at = lowerBound(list, from);
  return at < list.length ? list[at]! : Infinity;
}

/**
 * Where the walk must test next, from rule `at` of a chain long enough to index (the walk asks
 * only for chains of DISPATCH_MIN_RULES rules or more; `rules` are the chain's, as the walk read
 * them): `at` itself when that rule may match (or the packet is a fragment); otherwise the first
 * later rule that may. Every rule in between provably misses this packet.
 */
export function nextCandidate(chain: Chain, rules: readonly Rule[], at: number, pkt: Packet): number {
  if (pkt.fragOffset !== 0) return at;
  // a barrier is tested in turn: no need to (re)check the chain's index for it (KUBE-NODEPORTS'
  // rules name no address: every one is a barrier)
  const rule = rules[at];
  if (!rule || ruleKey(rule) === undefined) return at;
  const idx = indexOf(chain, rules);
  const barrier = idx.nextBarrier[at]!;
  if (barrier === at) return at;
  const proto = String(PROTO_NUM[pkt.proto]);
  // a packet without ports (ICMP) can match only rules that name no port
  const dport = pkt.proto === "tcp" || pkt.proto === "udp" || pkt.proto === "sctp" ? String(pkt.dport) : undefined;
  let next = barrier;
  for (const p of [proto, "*"]) {
    for (const d of dport !== undefined ? [dport, "*"] : ["*"]) next = Math.min(next, firstAtLeast(idx.byKey.get(`${pkt.dst}/${p}/${d}`), at));
  }
  return next;
}
