/**
 * Exercise "invalid": a connection to a Service is under way; one more segment comes, from the
 * client or from the pod, in the window or not. Which conntrack state does it get, and what
 * happens to it next?
 *
 * Why: the "connection reset by peer" of kubernetes #74839 is read this way — a segment outside
 * conntrack's window is INVALID, loses its connection's NAT, and then either kube-proxy's
 * KUBE-FORWARD drops it or it goes on un-NATed. The learner reads the entry's window state
 * (`show conntrack window`) against the segment's numbers, and the filter rules against an
 * INVALID packet. Some scenes change the node first: the INVALID drop removed (as before
 * kube-proxy 1.15), or nf_conntrack_tcp_be_liberal set.
 */
import { Dice, randomCluster } from "./cluster.js";
import { candidateList, chainLines, must, sceneSession, type Exercise, type ExerciseGenerator, type Scene } from "./exercise.js";
import { randomClient, sendLine } from "./packets.js";
import { ask, SEGMENT_FATES, type Asked } from "../questions.js";
import { CommandError } from "../../lang/words.js";
import { chainsEntered } from "./walked.js";

/** The segment the question is about, as words and as the command that sends it. */
interface Segment {
  words: string;
  line: string;
}

const MAX_ATTEMPTS = 40;
const STATES = ["ESTABLISHED", "INVALID"];

function pickSegment(d: Dice, clientLine: string): Segment {
  const data = d.pick([200, 500, 1000]);
  const fromPod = d.chance(0.5);
  // the answering end is "the Service's pod": the client may be a pod too
  const side = fromPod ? "the Service's pod" : "the client";
  const send = (extra: string) => (fromPod ? `reply ${extra}` : `${clientLine} ${extra}`);
  switch (d.int(4)) {
    case 0:
      return { words: `${side} sends ${data} bytes at its next sequence number`, line: send(`flags ACK,PSH payload ${data}`) };
    case 1: {
      const ahead = d.pick([200000, 300000, 1000000]);
      return { words: `${side} sends ${data} bytes, ${ahead} bytes ahead of its next sequence number`, line: send(`flags ACK,PSH payload ${data} seq +${ahead}`) };
    }
    case 2: {
      const behind = d.pick([100000, 200000]);
      return { words: `${side} sends ${data} bytes again that it sent ${behind} bytes ago (an old retransmission)`, line: send(`flags ACK,PSH payload ${data} seq -${behind}`) };
    }
    default: {
      const ahead = d.pick([5000000, 9000000]);
      return { words: `${side} sends a reset, ${ahead} bytes ahead of its next sequence number`, line: send(`flags RST seq +${ahead}`) };
    }
  }
}

function generate(seed: number): Exercise {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const d = new Dice(seed, 700 + attempt);
    const cluster = randomCluster(d, { services: 1, endpoints: [1, 3] });
    const svc = cluster.services[0]!;
    const client = randomClient(d);
    const to = `${svc.clusterIP}:${svc.port}`;
    const base = sendLine(client, to);
    const request = d.pick([80, 120, 300]);
    const answer = d.pick([400, 800, 1200]);
    const history = [base, "reply", `${base} flags ACK`, `${base} flags ACK,PSH payload ${request}`, `reply payload ${answer}`, `${base} flags ACK`];
    const change = d.chance(0.5) ? [] : d.chance(0.5) ? ["iptables -D KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP"] : ["sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1"];
    const segment = pickSegment(d, base);
    const scene: Scene = { cluster, name: `exercise-invalid-${seed}`, setup: [...change, ...history], packet: segment.line, walkSeed: seed };
    const before = sceneSession(scene);
    // the connection must have been made: every packet of it reached the other side
    if (before.sent.some((p) => p.result.fate.kind !== "sent" && p.result.fate.kind !== "delivered")) continue;
    const s = sceneSession(scene);
    must(s, scene.packet);
    let asked: Asked;
    try {
      asked = ask("segment", s);
    } catch (e) {
      if (e instanceof CommandError) continue;
      throw e;
    }
    const candidates = STATES.flatMap((st) => SEGMENT_FATES.filter((f) => f !== "rejected").map((f) => `${st}, ${f}`));
    if (candidates.filter((c) => asked.accepts(c)).length !== 1) continue;
    const events = s.sent[s.sent.length - 1]!.result.events;
    const filterChains = chainsEntered(events, (e) => e.table === "filter" && !e.chain.startsWith("cali-"));
    const text = [
      `Exercise invalid (seed ${seed}): ${asked.question}`,
      "",
      `A connection to ${svc.ns}/${svc.name} (${to}), from ${client.what}:`,
      ...history.map((l) => `  ${l}`),
      ...(change.length ? ["", "Changed on this node first:", ...change.map((l) => `  ${l}`)] : []),
      "",
      "Its conntrack entry now (show conntrack window):",
      ...must(before, "show conntrack window").split("\n").filter((l) => !l.startsWith("conntrack v")).map((l) => `  ${l}`),
      "",
      `The segment: ${segment.words}.`,
      `  ${segment.line}`,
      "",
      "The filter chains it meets (iptables -t filter -S CHAIN):",
      ...filterChains.flatMap(([, c]) => chainLines(s, "filter", c).map((l) => `    ${l}`)),
      "",
      "Candidates:",
      ...candidateList(candidates),
      "",
      "Answer with STATE, FATE (e.g. INVALID, dropped) or the candidate's letter. sent: it leaves the node; delivered: to a socket on the node.",
    ].join("\n");
    const solution = [`Exercise invalid (seed ${seed}): ${asked.expected}`, ...asked.solution.split("\n").slice(2)].join("\n");
    return { kind: "invalid", seed, text, candidates, expected: asked.expected, solution, scene, asked };
  }
  throw new Error(`exercise invalid: no usable scene for seed ${seed} in ${MAX_ATTEMPTS} attempts`);
}

export const invalidExercise: ExerciseGenerator = { kind: "invalid", summary: "is this TCP segment INVALID (outside conntrack's window), and what happens to it next", generate };
