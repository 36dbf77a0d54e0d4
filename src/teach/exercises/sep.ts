/**
 * Exercise "sep": which KUBE-SEP chain (which endpoint) does kube-proxy's load balancer pick?
 *
 * Why: the heart of a ClusterIP Service is a chain of `-m statistic --mode random` rules; a
 * learner who can work out by hand which one matches, given the random numbers drawn, has
 * understood why 1/3, 1/2, then "the rest" spreads packets evenly. The draws shown are the
 * very ones the walk uses: they are read from a copy of the session's generator taken just
 * before the packet is sent, and checked against the draws the walk reports.
 */
import { randomCluster, Dice, type ServiceSpec } from "./cluster.js";
import { candidateList, chainLines, must, sceneSession, type Exercise, type ExerciseGenerator, type Scene } from "./exercise.js";
import { ask } from "../questions.js";
import type { Session } from "../../lang/session.js";
import type { TraceEvent } from "../../engine/trace/events.js";
import { printProbability } from "../../engine/ext/match/statistic.js";
import { drawText, randomClient, sendLine, upcomingDraws } from "./packets.js";

type RuleEvent = Extract<TraceEvent, { kind: "rule" | "nomatch" }>;

function statisticRules(s: Session, svc: string) {
  return (s.engine.ruleset.tables.get("nat")?.chains.get(svc)?.rules ?? []).filter((r) => r.matches.some((m) => m.module.name === "statistic"));
}

/** Walk events of one chain, each statistic rule paired with the draw it saw; checks they agree. */
export function drawsSeen(s: Session, events: TraceEvent[], svc: string, draws: number[]): { e: RuleEvent; draw?: number }[] {
  let i = 0;
  const out = events
    .filter((e): e is RuleEvent => (e.kind === "rule" || e.kind === "nomatch") && e.chain === svc)
    .map((e) => {
      if (!e.rule.matches.some((m) => m.module.name === "statistic")) return { e };
      const draw = draws[i++];
      if (draw === undefined) throw new Error("exercise sep: more statistic rules tested than draws foreseen");
      const p = (e.rule.matches.find((m) => m.module.name === "statistic")!.data as { probability: number }).probability;
      if (draw < p !== (e.kind === "rule")) throw new Error(`exercise sep: foreseen draw ${drawText(draw)} disagrees with the walk at ${e.chain}`);
      // the walk reports a miss's draw to 4 places: it must be the one foreseen
      if (e.kind === "nomatch" && !e.fail.why.includes((draw / 0x80000000).toFixed(4))) throw new Error(`exercise sep: foreseen draw ${drawText(draw)} is not the walk's (${e.fail.why})`);
      return { e, draw };
    });
  return out;
}

export function serviceOf(s: Session, chain: string): string {
  return s.names.decode(chain)?.replace(/^[^=]*= /, "") ?? chain;
}

function generate(seed: number): Exercise {
  const d = new Dice(seed, 1);
  const cluster = randomCluster(d);
  const svc: ServiceSpec = d.pick(cluster.services);
  const client = randomClient(d);
  const scene: Scene = { cluster, name: `exercise-sep-${seed}`, setup: [], packet: sendLine(client, `${svc.clusterIP}:${svc.port}`), walkSeed: seed };
  const s = sceneSession(scene);
  const before = upcomingDraws(s, svc.endpoints.length);
  must(s, scene.packet);
  const asked = ask("sep", s);
  const events = s.sent[0]!.result.events;
  const jump = events.find((e) => e.kind === "rule" && e.rule.target?.kind === "jump" && e.rule.target.chain === asked.expected);
  const svcChain = jump && jump.kind === "rule" ? jump.chain : "";
  const stats = statisticRules(s, svcChain);
  const draws = before.slice(0, stats.length);
  const seen = drawsSeen(s, events, svcChain, draws);
  const candidates = (s.engine.ruleset.tables.get("nat")?.chains.get(svcChain)?.rules ?? []).flatMap((r) => (r.target?.kind === "jump" && r.target.chain.startsWith("KUBE-SEP-") ? [r.target.chain] : []));
  const dnatOf = (sep: string) => /--to-destination (\S+)/.exec(chainLines(s, "nat", sep).join("\n"))?.[1];
  const entry = events.find((e) => e.kind === "rule" && e.chain === "KUBE-SERVICES" && e.rule.target?.kind === "jump" && e.rule.target.chain === svcChain);

  const text = [
    `Exercise sep (seed ${seed}): which KUBE-SEP chain does this packet take?`,
    "",
    `The packet: ${scene.packet.replace(/^send /, "")}`,
    `  sent by ${client.what}.`,
    "",
    `It matches ${serviceOf(s, svcChain)} in KUBE-SERVICES (nat table):`,
    ...(entry && entry.kind === "rule" ? [`  -A KUBE-SERVICES ${entry.rule.text}`] : []),
    "",
    `The Service's chain, as iptables -t nat -S ${svcChain} prints it:`,
    ...chainLines(s, "nat", svcChain).map((l) => "  " + l),
    "",
    "The endpoint chains:",
    ...candidates.flatMap((c) => chainLines(s, "nat", c).filter((l) => /DNAT/.test(l)).map((l) => "  " + l)),
    "",
    "Each -m statistic rule that is tested draws the next random number below and matches when",
    "its draw is below its --probability. The draws this packet's rules will see, in order:",
    ...draws.map((x, i) => `  draw ${i + 1}: ${drawText(x)}`),
    "",
    "Candidates:",
    ...candidateList(candidates, (c) => (dnatOf(c) ? `endpoint ${dnatOf(c)}` : undefined)),
    "",
    "Answer with the chain's name (or its letter).",
  ].join("\n");

  const worked = seen.map(({ e, draw }) => {
    const no = `#${(s.engine.ruleset.tables.get("nat")?.chains.get(svcChain)?.rules.indexOf(e.rule) ?? -1) + 1}`;
    const to = e.rule.target?.kind === "jump" ? e.rule.target.chain : "";
    const stat = e.rule.matches.find((m) => m.module.name === "statistic");
    if (draw !== undefined && stat) {
      const p = (stat.data as { probability: number }).probability;
      return `  rule ${no} (-j ${to}, probability ${printProbability(p)}) sees ${drawText(draw)}: ${e.kind === "rule" ? "below, so it matches" : "not below, so it misses"}`;
    }
    if (to.startsWith("KUBE-SEP-")) return `  rule ${no} (-j ${to}) has no statistic match: it takes every packet that gets this far`;
    return `  rule ${no} (-j ${to}) ${e.kind === "rule" ? "matches (it draws nothing and the walk goes on after it)" : "does not match (it draws nothing)"}`;
  });
  const solution = [`Exercise sep (seed ${seed}): ${asked.expected}`, `Going down ${svcChain}:`, ...worked, `so the packet jumps to ${asked.expected}${dnatOf(asked.expected) ? ` and is DNATed to ${dnatOf(asked.expected)}` : ""}.`].join("\n");
  return { kind: "sep", seed, text, candidates, expected: asked.expected, solution, scene, asked };
}

export const sepExercise: ExerciseGenerator = { kind: "sep", summary: "which KUBE-SEP chain (endpoint) does kube-proxy's load balancer pick, given the random draws", generate };
