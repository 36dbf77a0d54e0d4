/**
 * Exercise "mark": which mark does the packet carry when it reaches POSTROUTING?
 *
 * Why: kube-proxy decides in nat PREROUTING/OUTPUT whether a connection must be masqueraded and
 * remembers it as mark 0x4000 (KUBE-MARK-MASQ) for KUBE-POSTROUTING to act on; other software
 * marks packets too. A learner who can follow which rules set which bits has understood where
 * the masquerade decision is made. Clients vary (LAN, pod, the node), so do destinations
 * (ClusterIP, NodePort) and an extra marking rule in mangle that may or may not match.
 */
import { Dice, randomCluster } from "./cluster.js";
import type { ExerciseGenerator } from "./exercise.js";
import { NODE_IP, randomClient, sendLine, serviceDestination } from "./packets.js";
import { chainsEntered, generateWalked, withAllEndpoints } from "./walked.js";

const MARK_SOURCES = ["192.168.1.0/24", "10.42.0.0/16", `${NODE_IP}/32`, "10.42.135.128/26"];

const generate = (seed: number) =>
  generateWalked(
    {
      kind: "mark",
      stream: 2,
      question: "mark",
      build(d: Dice, seed: number) {
        const cluster = randomCluster(d, { nodePorts: true });
        const svc = d.pick(cluster.services);
        const client = randomClient(d);
        const dst = serviceDestination(d, client, svc, 0.5);
        const setup: string[] = [];
        if (d.chance(0.6)) {
          const chain = client.iif ? "PREROUTING" : "OUTPUT";
          setup.push(`iptables -t mangle -A ${chain} -s ${d.pick(MARK_SOURCES)} -p tcp -j MARK --set-xmark 0x100/0x100`);
        }
        return { scene: { cluster, name: `exercise-mark-${seed}`, setup, packet: sendLine(client, dst), walkSeed: seed }, who: client.what };
      },
      chains: (s, events) => withAllEndpoints(s, chainsEntered(events, (e) => (e.table === "mangle" || e.table === "nat") && e.hook !== "POSTROUTING" && e.hook !== "INPUT")),
      facts: () => ["", "The cluster's pod network (kube-proxy's --cluster-cidr) is 10.42.0.0/16.", "MARK --set-xmark V/M clears the bits of M, then XORs V in."],
      candidates: () => ["0x0", "0x100", "0x4000", "0x4100"],
      answerHow: "Answer with the mark (0x4000, 16384, or none for 0x0) or its letter.",
    },
    seed,
  );

export const markExercise: ExerciseGenerator = { kind: "mark", summary: "which mark the packet carries into POSTROUTING (does kube-proxy mark it for masquerade?)", generate };
