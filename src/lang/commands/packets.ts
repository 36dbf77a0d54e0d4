/**
 * Commands that move packets: send, reply, connect, stats.
 *
 * Why: these are the verbs of the article — one packet, its answer, a whole curl, and the load
 * balancer's distribution over many packets.
 */
import type { Command, CommandOutput } from "../command.js";
import { runToEnd } from "../../engine/steps.js";
import type { Session, SentPacket } from "../session.js";
import { CommandError } from "../words.js";
import { parseFlags, parsePacketSpec, PACKET_OPTIONS, type PacketSpec } from "../packet-spec.js";
import { TCP_FLAG_BIT, type Packet } from "../../engine/model/packet.js";
import type { TraceEvent } from "../../engine/trace/events.js";
import { formatIp } from "../../engine/model/ipv4.js";
import { cloneEngine } from "../../engine/state.js";
import { emptyConntrack } from "../../engine/conntrack/table.js";
import { walkPacket } from "../../engine/walk/packet-walk.js";
import { completeAddress, completeInterface } from "../complete.js";
import { describePacket } from "../../format/describe.js";
import { statsDisplay, walkDisplay } from "../../format/rich/displays.js";
import { walkText } from "../../format/explain.js";
import { sendExample } from "../send-example.js";

function out(s: Session, events: TraceEvent[], input: Packet): CommandOutput {
  // explain: the walk as data, its text drawn from it (the REPL colours the same data)
  if (s.format === "explain") {
    const display = [walkDisplay(s, input, events)];
    return { text: walkText(display), events, display };
  }
  const text = s.render(events);
  // xtables-monitor prints only what a TRACE rule marked: say why nothing came out
  const note =
    s.format === "xtables-monitor" && text === ""
      ? s.hasTraceRule
        ? "(nothing traced: no TRACE rule matched this packet)"
        : "(nothing traced: the ruleset has no TRACE rule; add one, e.g. iptables -t raw -I PREROUTING -j TRACE and iptables -t raw -I OUTPUT -j TRACE, or use format explain)"
      : undefined;
  return { text, events, note };
}

/** A connection's packets: one text, and in explain a walk per packet (each with its own caption). */
function connected(s: Session, events: TraceEvent[], packets: SentPacket[]): CommandOutput {
  if (s.format !== "explain") return out(s, events, packets[0]!.input);
  const display = packets.map((p) => walkDisplay(s, p.input, p.result.events));
  return { text: walkText(display), events, display };
}

/** A single packet: its whole walk, or — stepping in the REPL — its first step. */
function walked(s: Session, sent: SentPacket): CommandOutput {
  if (!s.stepByStep || !s.stepper) return out(s, sent.result.events, sent.input);
  const first = s.stepper.step();
  const from = sent.input.iif ? `arriving on ${sent.input.iif}` : "generated on the node";
  const head = `▶ ${describePacket(sent.input)} (${from}) — step, next, finish, continue; back undoes a step`;
  if (s.format === "explain") {
    const display = [{ ...walkDisplay(s, sent.input, first), before: [head] }];
    return { text: walkText(display), events: first, display };
  }
  const body = s.render(first);
  return { text: body ? `${head}\n${body}` : head, events: first };
}

export const send: Command = {
  name: "send",
  usage: "send PROTO SRC:SPORT -> DST:DPORT [in IFACE] [len N] [flags SYN,ACK] [seq N|+N|-N] [ack N] [win N] [mark 0xN] [ttl N] [tos N] [id N] [payload N] [type N] [code N] [mac XX:..]",
  summary: "send one packet through the node (locally generated, or arriving on IFACE with `in`)",
  examples: [
    "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898",
    "send tcp 192.168.1.20:51000 -> 192.168.1.88:30080 in enp3s0",
    "send udp 10.42.135.131:40000 -> 10.43.0.10:53",
    "send icmp 192.168.1.88 -> 10.42.54.194",
  ],
  details: "Without `in` the packet is generated on the node (OUTPUT → POSTROUTING). With `in IFACE` it arrives on that interface (PREROUTING → INPUT or FORWARD → POSTROUTING). A source of 0.0.0.0 lets routing choose it. TCP defaults to a SYN. TCP segments are numbered as the sending end's Linux stack would number them (sequence, acknowledgement, window); `seq`, `ack` and `win` make a hand-made segment instead, which conntrack checks against its window like any other; `seq +N` (or `-N`) is N bytes after (before) where the sender is.",
  run(s, args) {
    const spec = parsePacketSpec(args);
    const pkt = s.packetFromSpec(spec);
    return walked(s, s.send(pkt, `send ${args.map((a) => a.text).join(" ")}`));
  },
  complete: (s, args, partial) =>
    args.length === 0 ? ["tcp", "udp", "icmp", "sctp"]
    : args.length === 2 ? ["->"]
    : args[args.length - 1]?.text === "in" ? completeInterface(s, partial)
    : args.length >= 4 ? PACKET_OPTIONS
    : completeAddress(s, partial),
};

/** The peer's answer to a packet as it left (or arrived at) the node. */
export function replyPacket(s: Session, last: SentPacket, flags?: number, payload = 0, numbers: Pick<PacketSpec, "seq" | "seqOffset" | "ack" | "win"> = {}): Packet {
  const r = last.result;
  const p = r.pkt;
  const f = r.fate;
  if (f.kind !== "sent" && f.kind !== "delivered") throw new CommandError(`the last packet was ${f.kind === "dropped" ? "dropped" : f.kind === "rejected" ? "rejected" : "not delivered"}: there is nothing to reply to`);
  const tcpFlags = flags ?? (p.proto === "tcp" ? (p.tcpFlags & TCP_FLAG_BIT.SYN && !(p.tcpFlags & TCP_FLAG_BIT.ACK) ? TCP_FLAG_BIT.SYN | TCP_FLAG_BIT.ACK : TCP_FLAG_BIT.ACK) : 0);
  const spec: PacketSpec = {
    proto: p.proto,
    src: p.dst,
    sport: p.proto === "icmp" ? p.sport : p.dport,
    dst: p.src,
    dport: p.proto === "icmp" ? p.dport : p.sport,
    iif: f.kind === "sent" ? f.iface : undefined,
    flags: p.proto === "tcp" ? tcpFlags : undefined,
    icmpType: p.proto === "icmp" ? (p.icmpType === 8 ? 0 : p.icmpType) : undefined,
    payload,
    ...numbers,
    // the peer numbers its own packets: an IP id from its own counter, not the client's
    id: s.engine.rng.u32() & 0xffff,
  };
  const pkt = s.packetFromSpec(spec, true, p);
  if (p.proto === "icmp") {
    pkt.sport = p.sport;
    pkt.len = p.len;
    pkt.df = false; // Linux: icmp_reply sends echo replies with DF clear (measured)
    // the node's own echo reply leaves from the kernel's ICMP socket, which no process holds:
    // -m owner finds a socket with no owner (xt_owner: no sk_socket->file) and LOG --log-uid
    // prints no UID (measured: --gid-owner 0 misses it, random rules seed 305)
    if (f.kind === "delivered") {
      pkt.uid = pkt.gid = undefined;
      pkt.kernelSocket = true;
    }
  }
  if (p.proto === "tcp" && tcpFlags & TCP_FLAG_BIT.SYN) {
    pkt.id = 0; // Linux answers a SYN with IP id 0
    pkt.len = 60;
  }
  return pkt;
}

export const reply: Command = {
  name: "reply",
  usage: "reply [flags SYN,ACK] [payload N] [seq N|+N|-N] [ack N] [win N]",
  summary: "the peer's answer to the last packet, back through the node (NAT undone from conntrack)",
  examples: ["send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "reply"],
  details: "A packet that left the node comes back in on the interface it left by; one delivered locally is answered by the node itself. No nat rule runs for it: conntrack rewrites it.",
  run(s, args) {
    const last = s.sent[s.sent.length - 1];
    if (!last) throw new CommandError("nothing sent yet", undefined, `send a packet first, e.g. ${sendExample(s)}`);
    if (s.stepper && s.stepper.sent === last && !s.stepper.done)
      throw new CommandError("the last packet is still on its way (you are stepping through it)", undefined, "continue to its fate first, then reply");
    let flags: number | undefined;
    let payload = 0;
    const numbers: Pick<PacketSpec, "seq" | "seqOffset" | "ack" | "win"> = {};
    for (let i = 0; i < args.length; i += 2) {
      const k = args[i]!;
      const v = args[i + 1];
      if (k.text === "flags" && v) flags = parseFlags(v);
      else if (k.text === "payload" && v && /^\d+$/.test(v.text)) payload = Number(v.text);
      else if ((k.text === "seq" || k.text === "ack" || k.text === "win") && v && /^\d+$/.test(v.text) && Number(v.text) <= (k.text === "win" ? 0xffff : 0xffffffff)) numbers[k.text] = Number(v.text);
      else if (k.text === "seq" && v && /^[+-]\d{1,10}$/.test(v.text) && Math.abs(Number(v.text)) <= 0x7fffffff) numbers.seqOffset = Number(v.text);
      else throw new CommandError(`unexpected "${k.text}"`, k.col, "usage: reply [flags SYN,ACK] [payload N] [seq N|+N|-N] [ack N] [win N]");
    }
    const pkt = replyPacket(s, last, flags, payload, numbers);
    return walked(s, s.send(pkt, "reply"));
  },
};

const A = TCP_FLAG_BIT.ACK;
const P = TCP_FLAG_BIT.PSH;
const F = TCP_FLAG_BIT.FIN;

export const connect: Command = {
  name: "connect",
  usage: "connect tcp SRC:SPORT -> DST:DPORT [payload N] [in IFACE]",
  summary: "a whole TCP connection as a Linux client makes it: handshake, request, close",
  examples: ["connect tcp 192.168.1.88:49058 -> 10.43.156.98:9898 payload 81"],
  details: "The client sends SYN, ACK, ACK+PSH (N bytes), ACK, ACK+FIN, ACK with consecutive IP ids; the server's SYN-ACK, data and FIN come back through the node between them. Only the first packet runs the nat table — the rest follow the conntrack entry.",
  run(s, args) {
    const spec = parsePacketSpec(args);
    if (spec.proto !== "tcp") throw new CommandError("connect speaks tcp", args[0]?.col, "use send for udp/icmp");
    const payload = spec.payload ?? 81;
    const events: TraceEvent[] = [];
    const mine: SentPacket[] = [];
    const client = (flags: number, data = 0) => {
      const p = s.packetFromSpec({ ...spec, flags, payload: data, len: undefined });
      const r = s.send(p, `connect ${flags}`);
      for (const e of r.result.events) events.push(e);
      mine.push(r);
      return r;
    };
    const server = (last: SentPacket, flags: number, data = 0) => {
      const p = replyPacket(s, last, flags, data);
      const r = s.send(p, "server");
      for (const e of r.result.events) events.push(e);
      mine.push(r);
      return r;
    };
    const syn = client(TCP_FLAG_BIT.SYN);
    if (syn.result.fate.kind !== "sent" && syn.result.fate.kind !== "delivered") return connected(s, events, mine);
    server(syn, TCP_FLAG_BIT.SYN | A);
    client(A);
    const req = client(A | P, payload);
    server(req, A | P, 200);
    client(A);
    const fin = client(A | F);
    server(fin, A | F);
    client(A);
    s.stepper?.step(s.stepper.stops.length); // the exchange is over: the cursor rests at the last packet's fate
    return connected(s, events, mine);
  },
  complete: send.complete,
};

/** The most connections one `stats` sends (long runs report progress and can be interrupted). */
const STATS_MAX = 1_000_000;

export const stats: Command = {
  name: "stats",
  usage: "stats N [PROTO SRC:SPORT -> DST:DPORT ...]",
  summary: "send N new connections (from fresh state each) and count where they went: KUBE-SEP chains and fates",
  examples: ["stats 1000", "stats 300 tcp 192.168.1.88:40000 -> 10.43.0.10:53"],
  run: (s, args) => runToEnd(stats.start!(s, args)),
  *start(s, args) {
    const n = Number(args[0]?.text);
    if (!Number.isInteger(n) || n < 1 || n > STATS_MAX) throw new CommandError(`stats needs a count from 1 to ${STATS_MAX.toLocaleString("en-US")}`, args[0]?.col ?? 1, n > STATS_MAX ? "a million connections already give shares to a tenth of a percent" : undefined);
    let spec: PacketSpec;
    if (args.length > 1) spec = parsePacketSpec(args.slice(1));
    else {
      const last = s.sent[s.sent.length - 1];
      if (!last) throw new CommandError("stats needs a packet", undefined, "stats 1000 tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
      const p = last.input;
      spec = { proto: p.proto, src: p.src, sport: p.sport, dst: p.dst, dport: p.dport, iif: p.iif, flags: p.tcpFlags, mark: p.mark, len: p.len };
    }
    // each draw is a new connection on a fresh copy of the node (no conntrack entries, no
    // recent/limit state); only the random stream advances
    const base = { ...cloneEngine(s.engine), conntrack: emptyConntrack(), store: new Map() };
    const counts = new Map<string, number>();
    const fates = new Map<string, number>();
    const chainsOf = new Map<string, string[]>();
    const svcChains = new Set<string>();
    const toOf = new Map<string, Set<string>>();
    const placeWords = new Map<string, { dst: string; fate: string }>();
    for (let i = 0; i < n; i++) {
      if (i % 256 === 0 && i > 0) yield { done: i, total: n, unit: "connections" };
      // a fresh table and store for each (base has none to copy), the session's random stream
      const e = { ...base, conntrack: emptyConntrack(), store: new Map(), rng: s.engine.rng };
      const pkt = s.packetFromSpec({ ...spec, sport: spec.proto === "icmp" ? spec.sport : 1024 + ((spec.sport + i) % 60000) }, false);
      const r = walkPacket(e, pkt, { collectMisses: false, lean: true });
      const seps: string[] = [];
      for (const ev of r.events)
        if (ev.kind === "rule" && ev.verdict.kind === "JUMP" && ev.verdict.chain.startsWith("KUBE-SEP-")) {
          seps.push(ev.verdict.chain);
          svcChains.add(ev.chain);
        }
      const key = seps.length === 1 ? seps[0]! : seps.join(" → ") || "(no KUBE-SEP chain)";
      if (!chainsOf.has(key)) chainsOf.set(key, seps);
      let to = toOf.get(key);
      if (!to) toOf.set(key, (to = new Set()));
      // the words for where it went, once per place (a run sends to a handful of them)
      const f = r.fate;
      const where = `${r.pkt.proto === "icmp" ? 0 : r.pkt.dport} ${r.pkt.dst} ${f.kind === "sent" ? f.iface : f.kind}`;
      let words = placeWords.get(where);
      if (!words) {
        const dst = r.pkt.proto === "icmp" ? formatIp(r.pkt.dst) : `${formatIp(r.pkt.dst)}:${r.pkt.dport}`;
        placeWords.set(where, (words = { dst, fate: f.kind === "sent" ? `sent out ${f.iface} to ${formatIp(r.pkt.dst)}:${r.pkt.dport}` : f.kind === "delivered" ? "delivered locally" : f.kind }));
      }
      to.add(words.dst);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      fates.set(words.fate, (fates.get(words.fate) ?? 0) + 1);
    }
    const pct = (v: number) => `${((100 * v) / n).toFixed(1).padStart(5)}%`;
    const lines = [`${n} new connections:`];
    for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1])) lines.push(`  ${String(v).padStart(6)} ${pct(v)}  ${k}`);
    lines.push("fates:");
    for (const [k, v] of [...fates].sort((a, b) => b[1] - a[1])) lines.push(`  ${String(v).padStart(6)} ${pct(v)}  ${k}`);
    return { text: lines.join("\n"), display: [statsDisplay(s, n, counts, chainsOf, fates, svcChains, toOf)] };
  },
};
