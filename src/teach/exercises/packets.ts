/**
 * Who sends an exercise's packet, the `send` line for it, and the random draws it will meet.
 *
 * Why: every exercise kind sends one packet from a client a learner can picture (a laptop on the
 * LAN, a pod on this node, the node itself); kinds that hang on kube-proxy's load balancing show
 * the statistic draws, and those must be exactly the ones the walk will use.
 */
import type { Dice } from "./cluster.js";
import type { Session } from "../../lang/session.js";
import type { TraceEvent } from "../../engine/trace/events.js";
import type { ServiceSpec } from "./cluster.js";

/** The exercise node's own address (the article's node, on the LAN behind enp3s0). */
export const NODE_IP = "192.168.1.88";

export interface Client {
  what: string;
  /** send line without the destination: "tcp 192.168.1.23:40512 -> " … " in enp3s0" */
  src: string;
  iif?: string;
}

/** Who sends the packet: a host on the LAN, a pod on this node, or the node itself. */
export function randomClient(d: Dice, proto = "tcp"): Client {
  const sport = d.between(32768, 60999);
  switch (d.int(3)) {
    case 0: {
      const ip = `192.168.1.${d.between(100, 199)}`;
      return { what: `a laptop on the LAN (${ip}); the packet arrives on enp3s0`, src: `${proto} ${ip}:${sport}`, iif: "enp3s0" };
    }
    case 1:
      return { what: "a pod on this node (10.42.135.131); the packet arrives on its veth cali5c2e8d1a0b7", src: `${proto} 10.42.135.131:${sport}`, iif: "cali5c2e8d1a0b7" };
    default:
      return { what: `a process on the node itself (${NODE_IP}); the packet starts in OUTPUT`, src: `${proto} ${NODE_IP}:${sport}` };
  }
}

/**
 * Where the client sends to reach the Service: a LAN client uses its NodePort on the node's
 * address with chance `nodePortChance` (when it has one), anyone else its ClusterIP.
 */
export function serviceDestination(d: Dice, client: Client, svc: ServiceSpec, nodePortChance: number): string {
  const viaNodePort = client.iif === "enp3s0" && svc.nodePort !== undefined && d.chance(nodePortChance);
  return viaNodePort ? `${NODE_IP}:${svc.nodePort}` : `${svc.clusterIP}:${svc.port}`;
}

export function sendLine(c: Client, dst: string): string {
  return `send ${c.src} -> ${dst}${c.iif ? ` in ${c.iif}` : ""}`;
}

/** The 31-bit draw as a fraction, with the precision iptables-save gives probabilities. */
export const drawText = (draw: number) => (draw / 0x80000000).toFixed(11);

/**
 * The draws the next statistic rules will see: a copy of the generator, past the one number the
 * packet itself takes (its trace id), gives them in order.
 */
export function upcomingDraws(s: Session, n: number): number[] {
  const r = s.engine.rng.clone();
  r.u32(); // Session.packetFromSpec: the packet's trace id
  return Array.from({ length: n }, () => r.u32() & 0x7fffffff);
}

/**
 * The draws the walk's statistic rules will see, as lines an exercise shows under `intro`: one
 * per statistic rule the walk tests (none, and no intro, when it tests none).
 */
export function drawLines(before: Session, events: TraceEvent[], intro = "The draws the statistic rules will see, in order:"): string[] {
  const tested = events.filter((e) => (e.kind === "rule" || e.kind === "nomatch") && e.rule.matches.some((m) => m.module.name === "statistic")).length;
  const draws = upcomingDraws(before, tested);
  return draws.length ? [intro, ...draws.map((x, i) => `  draw ${i + 1}: ${drawText(x)}`)] : [];
}
