/**
 * The shape of a command and of what it returns, shared by every front end.
 *
 * Why: one table of commands — the REPL, `-e`, stdin scripts, the Jupyter kernel and lessons
 * run the same objects; help and completion read the same fields. A command returns its text
 * (what a terminal prints, byte for byte as before) and, beside it, the same answer as typed
 * data (`display`): the walk, a table, a chart's numbers, a diagram's scene. Each front end draws
 * the data its own way (HTML and SVG in notebooks, ASCII in the terminal) and never re-parses the
 * text another renderer produced.
 */
import type { Session } from "./session.js";
import type { Word } from "./words.js";
import type { TraceEvent } from "../engine/trace/events.js";
import type { Packet } from "../engine/model/packet.js";
import type { CtEntry } from "../engine/conntrack/entry.js";
import type { Hook } from "../engine/walk/hooks.js";
import type { TableName } from "../engine/model/ruleset.js";
import type { Scene } from "../format/rich/diagram-scene.js";

/** A packet's walk (whole, or the steps just taken) with what a renderer needs to label it. */
export interface WalkDisplay {
  kind: "walk";
  events: TraceEvent[];
  /** The packet as it was sent. */
  input: Packet;
  /** Does the ruleset trace at all? If not, no rule is marked hidden from the kernel trace. */
  tracing: boolean;
  /** 1-based position of each rule in its chain, keyed by ruleKey(table, chain, handle). */
  ruleNumbers: Record<string, number>;
  /** What KUBE-* chains jumped to are ("Service ns/name port p"), by chain name. */
  meanings: Record<string, string>;
  /** Simulated clock, for conntrack timeouts. */
  now: number;
  /** Where the reader already was (stepping): the hook and table whose headings are not repeated. */
  from?: { hook?: string; table?: string };
  /** Lines said before the table (the packet stepping starts, a breakpoint that fired). */
  before?: string[];
  /** Lines said after it (where the cursor rests). */
  after?: string[];
}

/** The article's "state of the packet": one row after each table (and one where the cursor is). */
export interface StateRow {
  /** "after nat OUTPUT", "now (filter OUTPUT rule #3)", "as sent" */
  label: string;
  hook?: Hook;
  table?: TableName;
  src: string;
  sport?: number;
  dst: string;
  dport?: number;
  outIf?: string;
  mark: number;
}

export interface StateDisplay {
  kind: "state";
  rows: StateRow[];
  /** Lines said beside the table: where the cursor is, its conntrack view. */
  notes: string[];
}

export interface ConntrackDisplay {
  kind: "conntrack";
  entries: CtEntry[];
  now: number;
  note?: string;
}

export interface DiagramDisplay {
  kind: "diagram";
  scene: Scene;
}

/** One outcome of `stats`: the KUBE-SEP chains a connection went through, and how often. */
export interface StatsCount {
  chains: string[];
  count: number;
  /** Where those connections went ("10.42.54.194:9898"), after NAT; more than one only if they differed. */
  to: string[];
}

/** A KUBE-SEP chain's share as the statistic rules of its KUBE-SVC chain set it. */
export interface StatsExpected {
  chain: string;
  /** From the chain the share belongs to (KUBE-SVC-…), e.g. "KUBE-SVC-Y4T5L63IYP3YFEBS rule 2". */
  via: string;
  share: number;
}

export interface StatsDisplay {
  kind: "stats";
  total: number;
  counts: StatsCount[];
  expected: StatsExpected[];
  fates: { fate: string; count: number }[];
}

/** A table of strings (a chain listing, routes, a route lookup...). */
export interface TableDisplay {
  kind: "table";
  title: string;
  columns: string[];
  rows: string[][];
  /** Optional class per row ("matched", "policy"), for highlighting; same length as rows. */
  rowClasses?: (string | undefined)[];
}

/** Prose to read (a lesson's section), for front ends that render Markdown. */
export interface MarkdownDisplay {
  kind: "markdown";
  markdown: string;
}

export type Display = MarkdownDisplay | WalkDisplay | StateDisplay | ConntrackDisplay | DiagramDisplay | StatsDisplay | TableDisplay;

export interface CommandOutput {
  text: string;
  events?: TraceEvent[];
  quit?: boolean;
  /** Said to the person, not part of the output (stderr in scripts): why the output is empty... */
  note?: string;
  /** The same answer as typed data, for renderers other than plain text (HTML, SVG, ASCII). */
  display?: Display[];
}

/** A user error as fields: what went wrong, the column of the offending word, a hint. */
export interface CommandFailure {
  message: string;
  /** 1-based column in the line typed, when the error points at a word. */
  col?: number;
  hint?: string;
}

/**
 * What running a line gives: the output, or an error. `error` is the one-line text front ends
 * have always printed ("column 13: unknown chain …"); `failure` holds the same as fields.
 */
export type RunResult = CommandOutput & { error?: string; hint?: string; failure?: CommandFailure };

/** The text of a failure as the REPL prints it after "error: ". */
export function failureText(f: CommandFailure): string {
  return `${f.col ? `column ${f.col}: ` : ""}${f.message}`;
}

export function ruleKey(table: string, chain: string, handle: number): string {
  return `${table} ${chain} ${handle}`;
}

/** How far long work has got ("12,000 of 100,000 connections"), for a progress bar. */
export interface Progress {
  done: number;
  total: number;
  unit: string;
  /** a stage of the work, said with its count (or alone, with total 0) */
  stage?: string;
}

/**
 * Long work in slices (`stats`, `load`): each step does a few milliseconds of it and says how far
 * it got; the generator's return value is the output. runLine runs it to the end (stopping when
 * the session is asked to); the REPL runs it between keystrokes, draws the progress and drops it
 * on Ctrl-C. A job changes the session only in its last step, so dropping it changes nothing.
 */
export type CommandJob = Generator<Progress, CommandOutput, void>;

export interface Command {
  name: string;
  aliases?: string[];
  usage: string;
  summary: string;
  examples: string[];
  details?: string;
  /** The most words the command takes after its name; runLine refuses more (none is ignored). */
  maxArgs?: number;
  run(s: Session, args: Word[]): CommandOutput;
  /** For long work: the same command as slices (run drains it). */
  start?(s: Session, args: Word[]): CommandJob;
  /** Completions for the word being typed (args already typed before it). */
  complete?(s: Session, args: Word[], partial: string): string[];
}
