/**
 * Exercise "out-interface": by which interface does the packet leave the node?
 *
 * Why: after DNAT picks an endpoint, routing decides where the packet goes: another node's pod
 * through the VXLAN tunnel, this node's pod through its veth, a host on the LAN through the
 * uplink. The learner needs both halves — the statistic draws (which endpoint) and the routing
 * table (which interface) — so both are shown.
 */
import { Dice, randomCluster } from "./cluster.js";
import type { ExerciseGenerator } from "./exercise.js";
import { drawLines, randomClient, sendLine } from "./packets.js";
import { chainsEntered, generateWalked, withAllEndpoints } from "./walked.js";
import { must } from "./exercise.js";

const generate = (seed: number) =>
  generateWalked(
    {
      kind: "out-interface",
      stream: 3,
      question: "out-interface",
      build(d: Dice, seed: number) {
        const cluster = randomCluster(d, { local: true, lan: true, services: d.between(1, 2) });
        const svc = d.pick(cluster.services);
        const client = randomClient(d);
        return { scene: { cluster, name: `exercise-out-interface-${seed}`, setup: [], packet: sendLine(client, `${svc.clusterIP}:${svc.port}`), walkSeed: seed }, who: client.what };
      },
      chains: (s, events) => withAllEndpoints(s, chainsEntered(events, (e) => e.table === "nat" && (e.hook === "PREROUTING" || e.hook === "OUTPUT") && !/^KUBE-MARK/.test(e.chain))),
      facts(_s, events, before) {
        return [
          "",
          ...drawLines(before, events, "The draws the statistic rules will see, in order (a rule matches when its draw is below its --probability):"),
          "",
          "The node's routes (ip route):",
          ...must(before, "show routes").split("\n").filter((l) => !/ table local /.test(l)).map((l) => `  ${l}`),
        ];
      },
      candidates: () => ["enp3s0", "vxlan.calico", "cali5c2e8d1a0b7", "calia41f3d96e02"],
      endpointMatters: true,
      answerHow: "Answer with the interface's name or its letter.",
    },
    seed,
  );

export const outInterfaceExercise: ExerciseGenerator = { kind: "out-interface", summary: "by which interface the packet leaves the node (DNAT's endpoint, then routing)", generate };
