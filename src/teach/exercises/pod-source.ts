/**
 * Exercise "pod-source": which source address does the pod see?
 *
 * Why: whether a Service hides the client's address is the masquerade question of Kubernetes
 * networking (externalTrafficPolicy exists because of it). The answer joins KUBE-MARK-MASQ in
 * nat PREROUTING/OUTPUT, KUBE-POSTROUTING's MASQUERADE and the address of the interface the
 * packet leaves by.
 */
import { Dice, randomCluster } from "./cluster.js";
import type { ExerciseGenerator } from "./exercise.js";
import { NODE_IP, drawLines, randomClient, sendLine, serviceDestination } from "./packets.js";
import { chainsEntered, generateWalked, withAllEndpoints } from "./walked.js";
import { must } from "./exercise.js";

const generate = (seed: number) =>
  generateWalked(
    {
      kind: "pod-source",
      stream: 4,
      question: "pod-source",
      build(d: Dice, seed: number) {
        const cluster = randomCluster(d, { local: true, nodePorts: true, services: d.between(1, 2) });
        const svc = d.pick(cluster.services);
        const client = randomClient(d);
        const dst = serviceDestination(d, client, svc, 0.4);
        return { scene: { cluster, name: `exercise-pod-source-${seed}`, setup: [], packet: sendLine(client, dst), walkSeed: seed }, who: client.what };
      },
      chains: (s, events) => withAllEndpoints(s, chainsEntered(events, (e) => e.table === "nat")),
      facts(_s, events, before) {
        const draws = drawLines(before, events);
        return [
          "",
          ...(draws.length ? [...draws, ""] : []),
          "The node's addresses (MASQUERADE takes the address of the interface the packet leaves by):",
          ...must(before, "show interfaces").split("\n").map((l) => `  ${l}`),
          "The node's routes (ip route):",
          ...must(before, "show routes").split("\n").filter((l) => !/ table local /.test(l)).map((l) => `  ${l}`),
        ];
      },
      candidates(s, asked) {
        const client = /^send \S+ (\d+\.\d+\.\d+\.\d+)/.exec(s.sent[0]!.label)?.[1];
        const set = new Set([client ?? "", NODE_IP, "10.42.135.130", asked.expected].filter(Boolean));
        return [...set].sort();
      },
      endpointMatters: true,
      answerHow: "Answer with the IP address (or IP:PORT) or its letter.",
    },
    seed,
  );

export const podSourceExercise: ExerciseGenerator = { kind: "pod-source", summary: "which source address the pod sees (masqueraded or the client's own)", generate };
