/**
 * The contract every netfilter extension module fulfils.
 *
 * Why: iptables keeps one file per extension (libxt_tcp.c, libxt_MARK.c) holding its options,
 * its parser and its canonical printer; the kernel keeps its match()/target(). ktrace keeps both
 * halves together, so adding an extension is one file plus its vectors. Parsing, `save`, help
 * and completion all read the same option table.
 */
import type { Token } from "../parse/tokenize.js";
import type { Packet } from "../model/packet.js";
import type { TableName } from "../model/ruleset.js";
import type { Hook } from "../walk/hooks.js";
import type { CtView } from "../conntrack/entry.js";
import type { NodeModel } from "../model/node.js";
import type { Rng } from "../rng.js";
import type { Cidr, Ip } from "../model/ipv4.js";

export interface OptionSpec {
  name: string; // long name without dashes, e.g. "dport"
  aliases?: string[];
  args?: number; // how many argument words follow (default 1)
  negatable?: boolean;
  help?: string;
}

export interface OptionUse {
  name: string; // canonical long name
  negated: boolean;
  args: string[];
  token: Token; // the --option word
  argTokens: Token[];
}

export interface BuildCtx {
  table: TableName;
  chain: string;
  /** protocol number given with -p (0 or undefined = any), and whether it was negated */
  proto?: number;
  protoNegated?: boolean;
  /** Raise a ParseError at a token. */
  fail(token: Token, message: string): never;
  /** Raise a user-space error for the rule as a whole (a missing required option...). */
  reject(message: string): never;
  /** The kernel refuses the rule (EINVAL at load time): reported as RULE_APPEND failed. */
  kernelReject(message: string): never;
}

/** Why a rule did not match: the clause as iptables-save prints it, and the packet's value. */
export interface MatchFail {
  clause: string;
  why: string;
}

/** Per-rule state that outlives one packet (recent lists, limit buckets, nth counters). */
export type StateStore = Map<unknown, unknown>;

export interface MatchEnv {
  pkt: Packet;
  hook: Hook;
  table: TableName;
  ct?: CtView;
  node: NodeModel;
  rng: Rng;
  now: number; // simulated milliseconds
  store: StateStore;
}

export interface NatRange {
  minIp?: Ip;
  maxIp?: Ip;
  minPort?: number;
  maxPort?: number;
  random?: boolean;
  randomFully?: boolean;
  persistent?: boolean;
}

export interface TargetEnv extends MatchEnv {
  /** The interfaces as the hook sees them, and the next hop routing chose (for MASQUERADE). */
  inIf?: string;
  outIf?: string;
  nextHop?: Ip;
  /**
   * Set up the connection's NAT binding: "DST" for DNAT/REDIRECT (PREROUTING/OUTPUT), "SRC" for
   * SNAT/MASQUERADE (INPUT/POSTROUTING). "drop" when the packet has no conntrack entry.
   */
  nat(manip: "DST" | "SRC", range: NatRange): "accept" | "drop";
  notrack(): void;
  setZone(zone: number): void;
  reject(kind: string): void;
  /** Write a log line: LOG the kernel log line (log-line.ts), NFLOG its group and prefix. */
  log(kind: string, text: string): void;
}

export type TargetResult = "continue" | "accept" | "drop" | "return";

export interface ExtensionBase<D> {
  name: string;
  options: OptionSpec[];
  help: string;
  build(uses: OptionUse[], ctx: BuildCtx): D;
  /** Options as iptables-save prints them (no leading "-m name" / "-j NAME"). */
  save(data: D): string;
  /**
   * The text `iptables -L -n` prints for this match/target in the rule's last column (its
   * libxt_*.c print() without the leading space; "" when it prints nothing), e.g.
   * "tcp dpt:9898", "ctstate NEW", "MARK or 0x4000". Read by src/format/list.ts.
   */
  list?(data: D): string;
  /**
   * The kernel module calls nf_ct_netns_get when a rule using it is loaded: with any such rule in
   * the ruleset, conntrack runs for every packet of the namespace.
   */
  usesConntrack?: boolean;
  /**
   * Whether the kernel accepts this extension in a chain reached from `hook` (xt_match.hooks /
   * xt_target.hooks and its checkentry); undefined = every hook. Checked when a rule is loaded.
   */
  allowedIn?(data: D, hook: Hook): boolean;
}

export interface MatchModule<D> extends ExtensionBase<D> {
  kind: "match";
  /** When set, `-m NAME` without any option is an error with this message. */
  requiresOption?: string;
  /** Protocols this match needs with -p (tcp needs "-p tcp"). */
  needsProto?: number[];
  /** The error when -p does not give one of needsProto (default: match "NAME" needs "-p NAME"). */
  needsProtoError?: string;

  /**
   * What test() changes besides answering, for the rules whose test is not a pure question:
   * "draws-random" (statistic --mode random takes the walk's next random number), "keeps-state"
   * (recent records addresses, limit spends tokens, statistic --mode nth counts). Testing such a
   * rule twice, or skipping it, changes later answers — so a walk may never skip or repeat one.
   * Undefined: test() only reads.
   */
  effects?(data: D): MatchEffect | undefined;

  /** The ipsets this match reads (-m set): each must exist when the rule is loaded. */
  setsUsed?(data: D): string[];

  /**
   * For the dispatch index (walk/dispatch-index.ts): when all this match tests, on an unfragmented
   * packet of the rule's protocol, is that the destination port equals one number, `{ dport }`;
   * when it tests nothing at all (a comment), `{}`. Undefined: it tests something else, and its
   * rule is always tested in turn.
   */
  exactKey?(data: D): { dport?: number } | undefined;

  /** null when the packet matches; otherwise the failing clause. Pure unless `effects` says not. */
  test(data: D, env: MatchEnv): MatchFail | null;
}

export type MatchEffect = "draws-random" | "keeps-state";

export interface TargetModule<D> extends ExtensionBase<D> {
  kind: "target";
  /** Which address the target rewrites through conntrack's NAT binding, for a NAT target. */
  natManip?: "DST" | "SRC";
  /** The name `iptables -L` prints in the target column when it differs from `name`. */
  listName?: string;
  tables?: TableName[];
  hooks?: Hook[];
  apply(data: D, env: TargetEnv): TargetResult;
}

export type AnyMatch = MatchModule<any>;
export type AnyTarget = TargetModule<any>;

export type { Cidr };
