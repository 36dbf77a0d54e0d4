/**
 * Exercise "drop": which table, chain and rule drops (or rejects) the packet?
 *
 * Why: "my connection times out" is read from the ruleset by finding the first rule that
 * refuses it. The scene is a Service behind a small policy chain in filter FORWARD, or a
 * Service without endpoints (kube-proxy then rejects in filter KUBE-SERVICES); the learner
 * must follow DNAT first, since the filter rules see the endpoint, not the Service.
 */
import { clusterOf, Dice, randomCluster } from "./cluster.js";
import type { ExerciseGenerator } from "./exercise.js";
import { drawLines, randomClient, sendLine, type Client } from "./packets.js";
import { chainsEntered, generateWalked, withAllEndpoints } from "./walked.js";
import { policyCommands, POLICY_CHAIN, randomPolicyRule } from "./policy.js";
import { ruleRef } from "../questions.js";
import type { Rule } from "../../engine/model/ruleset.js";

const refuses = (r: Rule) => r.target?.kind === "verdict" ? r.target.name === "DROP" : r.target?.kind === "ext" && r.target.module.name === "REJECT";

function forwardedClient(d: Dice): Client {
  for (;;) {
    const c = randomClient(d);
    if (c.iif) return c;
  }
}

const generate = (seed: number) =>
  generateWalked(
    {
      kind: "drop",
      stream: 5,
      question: "drop",
      build(d: Dice, seed: number) {
        const cluster = randomCluster(d, { endpoints: [1, 3], services: d.between(1, 2) });
        const svc = cluster.services[0]!;
        const noEndpoints = d.chance(0.25);
        if (noEndpoints) svc.endpoints = [];
        const client = noEndpoints ? randomClient(d) : forwardedClient(d);
        const clientIp = /(\d+\.\d+\.\d+\.\d+)/.exec(client.src)![1]!;
        const rules = Array.from({ length: d.between(2, 4) }, () => randomPolicyRule(d, clientIp, svc.targetPort));
        if (d.chance(0.5)) rules.push("-d 10.42.0.0/16 -j DROP");
        return {
          scene: { cluster: clusterOf(cluster.services), name: `exercise-drop-${seed}`, setup: policyCommands(rules), packet: sendLine(client, `${svc.clusterIP}:${svc.port}`), walkSeed: seed },
          who: client.what,
        };
      },
      chains: (s, events) => [
        ...withAllEndpoints(s, chainsEntered(events, (e) => e.table === "nat" && (e.hook === "PREROUTING" || e.hook === "OUTPUT") && !/^KUBE-MARK/.test(e.chain))),
        ...chainsEntered(events, (e) => e.table === "filter"),
      ],
      facts(_s, events, before) {
        const draws = drawLines(before, events);
        return draws.length ? ["", ...draws] : [];
      },
      candidates(s) {
        const tested = new Set(s.sent[0]!.result.events.flatMap((e) => ((e.kind === "rule" || e.kind === "nomatch") && e.table === "filter" ? [e.rule] : [])));
        const policy = s.engine.ruleset.tables.get("filter")?.chains.get(POLICY_CHAIN)?.rules ?? [];
        const all = [...new Set([...tested, ...policy])].filter(refuses);
        return all.map((r) => ruleRef(s, r));
      },
      endpointMatters: true,
      answerHow: "Answer with TABLE CHAIN #N (e.g. filter FORWARD #3) or the candidate's letter.",
    },
    seed,
  );

export const dropExercise: ExerciseGenerator = { kind: "drop", summary: "which table, chain and rule drops or rejects the packet", generate };
