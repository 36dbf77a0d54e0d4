/**
 * The frame most exercise kinds share: build a scene from a seed, walk its packet, ask a
 * question of the walk (src/teach/questions.ts), and print the packet, the chains it meets and
 * the facts a learner needs, with lettered candidates.
 *
 * Why: mark, out-interface and pod-source differ only in their scene, their facts and their
 * candidates; the answer always comes from the walk. A scene whose walk cannot answer (the
 * packet never gets that far) is replaced by the next attempt from the same seed, so every seed
 * gives an exercise and the same one every time.
 */
import { Dice } from "./cluster.js";
import { candidateList, chainLines, must, sceneSession, type Exercise, type ExerciseKind, type Scene } from "./exercise.js";
import { ask, type Asked, type QuestionKind } from "../questions.js";
import { CommandError } from "../../lang/words.js";
import type { Session } from "../../lang/session.js";
import type { TraceEvent } from "../../engine/trace/events.js";
import type { TableName } from "../../engine/model/ruleset.js";

export interface Built {
  scene: Scene;
  /** who sends the packet, in words */
  who: string;
}

export interface WalkedSpec {
  kind: ExerciseKind;
  stream: number;
  question: QuestionKind;
  build(d: Dice, seed: number): Built;
  /** facts beyond the chains: routes, addresses, draws… (s: after the walk; before: the session just before it) */
  facts(s: Session, events: TraceEvent[], before: Session): string[];
  /** the chains worth showing: [table, chain, only the rules the walk tested?] */
  chains(s: Session, events: TraceEvent[]): [TableName, string][];
  candidates(s: Session, asked: Asked, built: Built): string[];
  answerHow: string;
  /** does the answer hang on which endpoint the statistic rules picked? then the solution shows that walk too */
  endpointMatters?: boolean;
}

const MAX_ATTEMPTS = 40;

/** Chains the walk entered, in the order it entered them, within some tables and hooks. */
export function chainsEntered(events: TraceEvent[], keep: (e: { table: TableName; hook: string; chain: string }) => boolean): [TableName, string][] {
  const out: [TableName, string][] = [];
  for (const e of events) {
    if (e.kind !== "rule" && e.kind !== "nomatch") continue;
    if (!keep(e)) continue;
    if (!out.some(([t, c]) => t === e.table && c === e.chain)) out.push([e.table, e.chain]);
  }
  return out;
}

/**
 * Every endpoint chain of each Service chain shown, not only the one the walk took: showing just
 * that one would give the draw's outcome away.
 */
export function withAllEndpoints(s: Session, chains: [TableName, string][]): [TableName, string][] {
  const out: [TableName, string][] = [];
  for (const [t, c] of chains) {
    if (t === "nat" && c.startsWith("KUBE-SEP-")) continue;
    out.push([t, c]);
    if (t === "nat" && /^KUBE-(SVC|SVL)-/.test(c)) {
      for (const r of s.engine.ruleset.tables.get("nat")?.chains.get(c)?.rules ?? []) if (r.target?.kind === "jump" && r.target.chain.startsWith("KUBE-SEP-")) out.push(["nat", r.target.chain]);
    }
  }
  return out;
}

/** KUBE-SERVICES can hold hundreds of rules: show only the ones this packet was tested against. */
export function showChain(s: Session, table: TableName, chain: string, events: TraceEvent[]): string[] {
  const lines = chainLines(s, table as never, chain);
  if (chain !== "KUBE-SERVICES" && chain !== "KUBE-NODEPORTS") return lines;
  const tested = new Set(events.flatMap((e) => ((e.kind === "rule" || e.kind === "nomatch") && e.table === table && e.chain === chain ? [e.rule] : [])));
  const rules = s.engine.ruleset.tables.get(table)?.chains.get(chain)?.rules ?? [];
  const shown = rules.filter((r) => tested.has(r)).map((r) => `-A ${chain} ${r.text}`);
  const hidden = rules.length - shown.length;
  return [lines[0]!, ...shown, ...(hidden ? [`(${hidden} more rule${hidden === 1 ? "" : "s"} for other Services, not reached)`] : [])];
}

export function generateWalked(spec: WalkedSpec, seed: number): Exercise {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const d = new Dice(seed, spec.stream * 100 + attempt);
    const built = spec.build(d, seed);
    const before = sceneSession(built.scene);
    const s = sceneSession(built.scene);
    must(s, built.scene.packet);
    let asked: Asked;
    try {
      asked = ask(spec.question, s);
    } catch (e) {
      if (e instanceof CommandError) continue; // this walk cannot answer: next attempt
      throw e;
    }
    const candidates = spec.candidates(s, asked, built);
    if (candidates.filter((c) => asked.accepts(c)).length !== 1) continue;
    const events = s.sent[0]!.result.events;
    const chains = spec.chains(s, events);
    const text = [
      `Exercise ${spec.kind} (seed ${seed}): ${asked.question}`,
      "",
      `The packet: ${built.scene.packet.replace(/^send /, "")}`,
      `  sent by ${built.who}.`,
      ...(built.scene.setup.length ? ["", "Rules added to kube-proxy's:", ...built.scene.setup.map((l) => `  ${l}`)] : []),
      "",
      "The chains it meets (iptables -t TABLE -S CHAIN):",
      ...chains.flatMap(([t, c], i) => [...(chains[i - 1]?.[0] === t ? [] : [`  ${t}:`]), ...showChain(s, t, c, events).map((l) => `    ${l}`)]),
      ...spec.facts(s, events, before).map((l) => (l ? l : "")),
      "",
      "Candidates:",
      ...candidateList(candidates),
      "",
      spec.answerHow,
    ].join("\n");
    let choice: string[] = [];
    if (spec.endpointMatters) {
      try {
        choice = ask("sep", s).solution.split("\n").slice(2);
      } catch (e) {
        if (!(e instanceof CommandError)) throw e; // no Service endpoint on this walk
      }
    }
    const solution = [`Exercise ${spec.kind} (seed ${seed}): ${asked.expected}`, ...choice, ...asked.solution.split("\n").slice(2)].join("\n");
    return { kind: spec.kind, seed, text, candidates, expected: asked.expected, solution, scene: built.scene, asked };
  }
  throw new Error(`exercise ${spec.kind}: no usable scene for seed ${seed} in ${MAX_ATTEMPTS} attempts`);
}
