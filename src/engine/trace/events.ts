/**
 * What the engine reports while a packet walks: plain data, formatted elsewhere.
 *
 * Why: xtables-monitor output, explain mode, JSON, the REPL's stepper and lessons all read the
 * same events. An event knows whether the kernel would have traced it (`traced`), so the
 * kernel-identical formatter can drop what xtables-monitor would not show while explain mode
 * keeps it.
 */
import type { Packet } from "../model/packet.js";
import type { Rule, TableName } from "../model/ruleset.js";
import type { Hook } from "../walk/hooks.js";
import type { MatchFail } from "../ext/types.js";
import type { RouteQuery, RouteResult } from "../route/lookup.js";
import type { CtEntry, CtView } from "../conntrack/entry.js";

export type Verdict =
  | { kind: "CONTINUE" }
  | { kind: "ACCEPT" }
  | { kind: "DROP" }
  | { kind: "RETURN" }
  | { kind: "JUMP"; chain: string }
  | { kind: "GOTO"; chain: string };

interface At {
  hook: Hook;
  table: TableName;
  chain: string;
  /** Jump stack below this chain (base chain first). */
  depth: number;
  traced: boolean;
}

export type TraceEvent =
  | ({ kind: "packet"; pkt: Packet; inIf?: string; outIf?: string } & At)
  /** `after`: the packet after an extension target changed it (MARK, TTL...), for stepping. */
  | ({ kind: "rule"; rule: Rule; verdict: Verdict; after?: Packet } & At)
  | ({ kind: "nomatch"; rule: Rule; fail: MatchFail } & At)
  /**
   * Rules the dispatch index proved this packet misses, skipped untested (walk/dispatch-index.ts):
   * each tests another destination, protocol or port: the `count` rules of `chainRules` from the
   * 1-based number `first` (missedRules in walk/chain-walk.ts gives them). `chainRules` is the
   * chain's own array, not a copy: an indexed chain's array is frozen (an edit gives the chain a
   * new one), so a walk keeps no 10,000-rule slice per packet. `pkt` is the packet as it was, so
   * expandMisses can say why each missed.
   */
  | ({ kind: "misses"; chainRules: readonly Rule[]; first: number; count: number; pkt: Packet; inIf?: string; outIf?: string } & At)
  | ({ kind: "return" } & At) // implicit return at the end of a chain (user or base)
  | ({ kind: "policy"; policy: "ACCEPT" | "DROP" } & At)
  | { kind: "table-done"; hook: Hook; table: TableName; pkt: Packet; outIf?: string; verdict: "ACCEPT" | "DROP" }
  | { kind: "nat-skip"; hook: Hook; reason: string }
  | { kind: "conntrack"; hook: Hook; view: CtView; created: boolean }
  | { kind: "nat"; hook: Hook; manip: "SRC" | "DST"; dir: "ORIGINAL" | "REPLY"; from: Packet; to: Packet; how: "rule" | "conntrack"; rule?: Rule; entry: CtEntry }
  | { kind: "route"; why: "output" | "reroute" | "input"; query: RouteQuery; result: RouteResult }
  | { kind: "ttl"; from: number; to: number }
  | { kind: "log"; hook: Hook; table: TableName; target: string; text: string }
  | { kind: "confirm"; hook: Hook; entry: CtEntry }
  | { kind: "fate"; fate: Fate; pkt: Packet }
  /** A packet the node sent because of this one (REJECT's reset or ICMP error), with its own walk. */
  | { kind: "spawned"; reason: string; pkt: Packet; events: TraceEvent[]; fate: Fate }
  /** An ICMP error the node would send, held back by icmp_send's rate limit. */
  | { kind: "suppressed"; reason: string; pkt: Packet; why: string };

export type Fate =
  | { kind: "delivered"; iface: string } // to a local socket
  | { kind: "sent"; iface: string; nexthop?: string }
  | { kind: "dropped"; by: "rule" | "policy"; hook: Hook; table: TableName; chain: string; rule?: Rule }
  | { kind: "rejected"; with: string; hook: Hook; table: TableName; chain: string; rule: Rule }
  | { kind: "unroutable"; reason: string }
  | { kind: "not-forwarded"; reason: string };
