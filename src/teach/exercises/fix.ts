/**
 * Exercise "fix": the policy chain drops the packet; which ACCEPT rule, changed in one place,
 * would let it through?
 *
 * Why: fixing a ruleset means finding the rule that was meant to allow the traffic and the one
 * clause that is wrong in it. Every ACCEPT rule of the chain misses, some in one clause and some
 * in two; the answer is found by experiment, not written down: for each ACCEPT rule the clause
 * the walk says failed is made to fit the packet (`iptables -D`, then `-I` at the same place), and the packet is walked again
 * from the same seed. Exactly one rule lets it through; the others' second failing clause is the
 * explanation a wrong answer gets.
 */
import { Dice, randomCluster, REMOTE_PODS, type ServiceSpec } from "./cluster.js";
import { candidateList, chainLines, must, sceneSession, type Exercise, type ExerciseGenerator, type Scene } from "./exercise.js";
import { drawText, randomClient, sendLine, upcomingDraws, type Client } from "./packets.js";
import { policyCommands, POLICY_CHAIN, portChoices, sourceChoices } from "./policy.js";
import { normRuleAnswer, type Asked } from "../questions.js";
import { formatIp } from "../../engine/model/ipv4.js";
import type { TraceEvent } from "../../engine/trace/events.js";
import { fateText } from "../../format/describe.js";

type Miss = Extract<TraceEvent, { kind: "nomatch" }>;

interface Trial {
  no: number;
  rule: string;
  miss: Miss;
  changed: string;
  /** the fate after the change, and the clause that still fails in this rule (if any) */
  fate: string;
  through: boolean;
  stillMiss?: Miss;
}

/** The rule with its failing clause made to fit the packet (as the walk saw it in FORWARD). */
function fitClause(rule: string, clause: string, pkt: { src: number; dport: number; proto: string }): string | undefined {
  if (/^-s \S+$/.test(clause)) return rule.replace(clause, `-s ${formatIp(pkt.src)}/32`);
  if (/^-p \S+$/.test(clause)) return rule.replace(/-p (\w+) -m (\w+)/, `-p ${pkt.proto} -m ${pkt.proto}`).replace(clause, `-p ${pkt.proto}`);
  const port = /--dport (\d+)/.exec(clause);
  if (port) return rule.replace(`--dport ${port[1]}`, `--dport ${pkt.dport}`);
  return undefined;
}

function allowRules(d: Dice, clientIp: string, port: number): string[] {
  const right = { src: sourceChoices(clientIp).slice(0, 2), port };
  const wrongSrc = sourceChoices(clientIp).slice(3);
  const wrongPort = portChoices(port).slice(1);
  const rule = (src: string, proto: string, p: number) => `-s ${src} -p ${proto} -m ${proto} --dport ${p} -j ACCEPT`;
  // one rule wrong in one clause, the others wrong in two
  const one = [() => rule(d.pick(wrongSrc), "tcp", port), () => rule(d.pick(right.src), "tcp", d.pick(wrongPort)), () => rule(d.pick(right.src), "udp", port)];
  const two = [() => rule(d.pick(wrongSrc), "tcp", d.pick(wrongPort)), () => rule(d.pick(wrongSrc), "udp", port), () => rule(d.pick(right.src), "udp", d.pick(wrongPort))];
  const decoys = Array.from({ length: d.between(2, 3) }, () => d.pick(two)());
  const rules = [d.pick(one)(), ...decoys];
  return d.shuffle(rules);
}

function attempt(seed: number, d: Dice): Exercise | undefined {
  const cluster = randomCluster(d, { endpoints: [1, 3], services: d.between(1, 2) });
  const svc: ServiceSpec = cluster.services[0]!;
  if (!svc.endpoints.every((e) => REMOTE_PODS.includes(e))) return undefined;
  let client: Client;
  do client = randomClient(d);
  while (!client.iif);
  const clientIp = /(\d+\.\d+\.\d+\.\d+)/.exec(client.src)![1]!;
  const rules = [...allowRules(d, clientIp, svc.targetPort), "-j DROP"];
  const scene: Scene = { cluster, name: `exercise-fix-${seed}`, setup: policyCommands(rules), packet: sendLine(client, `${svc.clusterIP}:${svc.port}`), walkSeed: seed };
  const before = sceneSession(scene);
  const s = sceneSession(scene);
  must(s, scene.packet);
  const walk = s.sent[0]!.result;
  if (walk.fate.kind !== "dropped" || walk.fate.chain !== POLICY_CHAIN) return undefined;
  const chain = s.engine.ruleset.tables.get("filter")!.chains.get(POLICY_CHAIN)!;
  const misses = walk.events.filter((e): e is Miss => e.kind === "nomatch" && e.chain === POLICY_CHAIN);
  const trials: Trial[] = [];
  for (const miss of misses) {
    const no = chain.rules.indexOf(miss.rule) + 1;
    const seenPkt = walk.events.find((e) => e.kind === "packet" && e.chain === POLICY_CHAIN);
    const pkt = seenPkt?.kind === "packet" ? seenPkt.pkt : walk.pkt;
    const changed = fitClause(miss.rule.text, miss.fail.clause, pkt);
    if (!changed) return undefined;
    const t = sceneSession(scene);
    // ktrace's iptables has no -R: delete the rule and insert the changed one in its place
    must(t, `iptables -D ${POLICY_CHAIN} ${no}`);
    must(t, `iptables -I ${POLICY_CHAIN} ${no} ${changed}`);
    must(t, scene.packet);
    const r = t.sent[0]!.result;
    const newRule = t.engine.ruleset.tables.get("filter")!.chains.get(POLICY_CHAIN)!.rules[no - 1];
    const stillMiss = r.events.find((e): e is Miss => e.kind === "nomatch" && e.rule === newRule);
    trials.push({ no, rule: miss.rule.text, miss, changed, fate: fateText(r.fate), through: r.fate.kind === "sent" || r.fate.kind === "delivered", stillMiss });
  }
  const fixes = trials.filter((t) => t.through);
  if (fixes.length !== 1) return undefined;
  const fix = fixes[0]!;
  const ref = (no: number) => `filter ${POLICY_CHAIN} #${no}`;
  const expected = ref(fix.no);
  const candidates = chain.rules.flatMap((r, i) => (r.target?.kind === "verdict" && r.target.name === "ACCEPT" ? [ref(i + 1)] : []));
  const why = trials.map((t) =>
    t.through
      ? `${ref(t.no)} missed only on ${t.miss.fail.clause} (${t.miss.fail.why}): with it changed (-A ${POLICY_CHAIN} ${t.changed}) the packet is ${t.fate}`
      : `${ref(t.no)} missed on ${t.miss.fail.clause} (${t.miss.fail.why}); with that changed it still misses on ${t.stillMiss ? `${t.stillMiss.fail.clause} (${t.stillMiss.fail.why})` : "another clause"}, so the packet is still ${t.fate}`,
  );
  const question = `The packet is dropped by the last rule of ${POLICY_CHAIN}. Which ACCEPT rule, changed in one clause, would let it through (the final DROP stays)?`;
  const accepts = (a: string) => normRuleAnswer(a) === normRuleAnswer(expected) || normRuleAnswer(a) === normRuleAnswer(`${POLICY_CHAIN} #${fix.no}`);
  const asked: Asked = {
    kind: "drop",
    question,
    expected,
    accepts,
    solution: [question, `answer: ${expected}`, ...why.map((l) => `  ${l}`)].join("\n"),
    explain(given) {
      if (accepts(given)) return `right: ${expected}.`;
      const m = /(\d+)$/.exec(normRuleAnswer(given));
      const t = m ? trials.find((x) => x.no === Number(m[1])) : undefined;
      const last = m && Number(m[1]) === chain.rules.length;
      const lines = [`"${given.trim()}" is not it: the answer is ${expected}.`];
      if (t) lines.push(why[trials.indexOf(t)]!);
      else if (last) lines.push(`${ref(chain.rules.length)} is the policy's final DROP: deleting it would let everything through, not just this packet.`);
      else lines.push(`name a rule as filter ${POLICY_CHAIN} #N; the ACCEPT rules are ${candidates.join(", ")}.`);
      return [...lines, "Each ACCEPT rule, changed where the walk says it failed, and the packet walked again:", ...why.filter((w) => !lines.includes(w)).map((l) => `  ${l}`)].join("\n");
    },
  };
  const events = walk.events;
  const stats = events.filter((e) => (e.kind === "rule" || e.kind === "nomatch") && e.rule.matches.some((m) => m.module.name === "statistic")).length;
  const draws = upcomingDraws(before, stats);
  const text = [
    `Exercise fix (seed ${seed}): ${question}`,
    "",
    `The packet: ${scene.packet.replace(/^send /, "")}`,
    `  sent by ${client.what}.`,
    `  It is meant for ${svc.ns}/${svc.name} (cluster IP ${svc.clusterIP}:${svc.port}, pods listen on ${svc.targetPort}); DNAT picks one of ${svc.endpoints.join(", ")}.`,
    ...(draws.length ? ["  The draws the statistic rules will see, in order: " + draws.map(drawText).join(", ")] : []),
    "",
    "The policy chain, added to kube-proxy's rules with:",
    ...scene.setup.map((l) => `  ${l}`),
    "",
    `iptables -t filter -S ${POLICY_CHAIN}:`,
    ...chainLines(s, "filter", POLICY_CHAIN).map((l) => `  ${l}`),
    "",
    "Candidates:",
    ...candidateList(candidates),
    "",
    "Answer with filter NETPOL #N or the candidate's letter.",
  ].join("\n");
  const solution = [`Exercise fix (seed ${seed}): ${expected}`, ...why.map((l) => `  ${l}`)].join("\n");
  return { kind: "fix", seed, text, candidates, expected, solution, scene, asked };
}

function generate(seed: number): Exercise {
  for (let i = 0; i < 60; i++) {
    const ex = attempt(seed, new Dice(seed, 600 + i));
    if (ex) return ex;
  }
  throw new Error(`exercise fix: no usable scene for seed ${seed}`);
}

export const fixExercise: ExerciseGenerator = { kind: "fix", summary: "which ACCEPT rule of a policy chain, changed in one clause, lets the packet through", generate };
