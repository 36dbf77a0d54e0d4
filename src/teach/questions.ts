/**
 * Questions about the last packet's walk: which KUBE-SEP chain, which Service, where DNAT sent
 * it, which mark, which interface, which rule dropped it, which source the pod sees, its fate,
 * its conntrack state.
 *
 * Why: lesson checkpoints and exercises ask the same few questions, and their answers and
 * explanations must come from the walk itself, never from a hard-coded answer. `ask(kind, s)`
 * reads the events of the session's last packet and returns the expected answer, a lenient
 * comparison (case, spaces, 0x4000 vs 0x00004000, IP vs IP:PORT, `#1` vs `1`) and, for a wrong
 * answer, an explanation in the words explain mode uses.
 */
import type { Session } from "../lang/session.js";
import { CommandError } from "../lang/words.js";
import type { Fate, TraceEvent } from "../engine/trace/events.js";
import type { Rule } from "../engine/model/ruleset.js";
import { formatIp, parseIp } from "../engine/model/ipv4.js";
import { describeCt, describePacket, describeSegment, endpoint, fateText } from "../format/describe.js";
import type { Packet } from "../engine/model/packet.js";
import { CT_STATES } from "../engine/conntrack/entry.js";
import { routeEventText } from "../format/route-line.js";

export type QuestionKind = "sep" | "svc" | "dnat" | "mark" | "out-interface" | "drop" | "pod-source" | "fate" | "ctstate" | "segment";

export const QUESTION_KINDS: readonly QuestionKind[] = ["sep", "svc", "dnat", "mark", "out-interface", "drop", "pod-source", "fate", "ctstate", "segment"];

export interface Asked {
  kind: QuestionKind;
  /** The question, as a learner reads it. */
  question: string;
  expected: string;
  accepts(answer: string): boolean;
  /** For a wrong answer: what the walk shows instead; for a right one, a line confirming it. */
  explain(given: string): string;
  /** The worked answer: the expected answer and the steps of the walk that decide it. */
  solution: string;
}

type RuleEvent = Extract<TraceEvent, { kind: "rule" }>;
type MissEvent = Extract<TraceEvent, { kind: "nomatch" }>;

/** The walk of the session's last packet, or a CommandError saying there is none. */
function lastWalk(s: Session): { events: TraceEvent[]; fate: Fate } {
  const last = s.sent[s.sent.length - 1];
  if (!last) throw new CommandError("no packet sent yet", undefined, "send a packet first: send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
  return { events: last.result.events, fate: last.result.fate };
}

/** `#3`, as explain mode and `iptables -L --line-numbers` count a rule. */
export function ruleNumber(s: Session, r: Rule): string {
  const chain = s.engine.ruleset.tables.get(r.table)?.chains.get(r.chain);
  const i = chain ? chain.rules.indexOf(r) : -1;
  const j = i >= 0 ? i : (chain?.rules.findIndex((x) => x.handle === r.handle) ?? -1);
  return j >= 0 ? `#${j + 1}` : `handle ${r.handle}`;
}

/** "filter KUBE-FORWARD #1": a rule named the way the questions ask for it. */
export function ruleRef(s: Session, r: Rule): string {
  return `${r.table} ${r.chain} ${ruleNumber(s, r)}`;
}

const norm = (a: string) => a.trim().replace(/\s+/g, " ").toLowerCase();

function targetChain(r: Rule): string | undefined {
  return r.target?.kind === "jump" || r.target?.kind === "goto" ? r.target.chain : undefined;
}

function hasStatistic(r: Rule): boolean {
  return r.matches.some((m) => m.module.name === "statistic");
}

/** Parses 0x4000, 0x00004000, 16384 or "none" into a number. */
export function parseMark(text: string): number | undefined {
  const t = norm(text).replace(/^mark\s*/, "");
  if (t === "none" || t === "no mark") return 0;
  if (/^0x[0-9a-f]+$/.test(t) || /^\d+$/.test(t)) {
    const n = Number(t);
    return n <= 0xffffffff ? n : undefined;
  }
  return undefined;
}

export const hexMark = (m: number) => `0x${m.toString(16)}`;

/** An address answer: IP, or IP:PORT (the port must then be right too). */
function addressAccepts(ip: number, port: number | undefined) {
  return (answer: string) => {
    const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(answer.trim());
    if (!m || parseIp(m[1]!) !== ip) return false;
    return m[2] === undefined || port === undefined || Number(m[2]) === port;
  };
}

/** Rule answers such as "filter KUBE-FORWARD 1", "filter KUBE-FORWARD #1", "-t filter kube-forward rule 1". */
export function normRuleAnswer(a: string): string {
  return norm(a)
    .replace(/^-t\s+/, "")
    .replace(/#\s*/g, " ")
    .replace(/\brule\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** A rule's line in a walk told in words: "#2 -> KUBE-SEP-X: missed, random draw 0.7788 ≥ 0.50000000000". */
function walkLine(s: Session, e: RuleEvent | MissEvent): string {
  const no = ruleNumber(s, e.rule);
  const to = targetChain(e.rule);
  const head = `${e.chain} ${no}${to ? ` (-j ${to})` : ""}`;
  if (e.kind === "nomatch") return `${head}: missed — ${e.fail.clause}: ${e.fail.why}`;
  if (to?.startsWith("KUBE-SEP-")) {
    return hasStatistic(e.rule) ? `${head}: matched — its random draw was below the probability, so the packet jumps to ${to}` : `${head}: matched — the last rule has no statistic match, so it takes every packet the rules before it let through`;
  }
  return `${head}: matched — -A ${e.chain} ${e.rule.text}`;
}

/** The events of the top-level walk that test rules of one chain, in order. */
function chainEvents(events: TraceEvent[], chain: string): (RuleEvent | MissEvent)[] {
  return events.filter((e): e is RuleEvent | MissEvent => (e.kind === "rule" || e.kind === "nomatch") && e.chain === chain);
}

/** Where a chain a learner named sits in another chain, and what happened to that rule. */
function whereInChain(s: Session, events: TraceEvent[], chain: string, given: string): string | undefined {
  const rules = s.engine.ruleset.tables.get("nat")?.chains.get(chain)?.rules ?? [];
  const r = rules.find((x) => targetChain(x)?.toUpperCase() === given.trim().toUpperCase());
  if (!r) return undefined;
  const tested = chainEvents(events, chain).find((e) => e.rule === r);
  const no = ruleNumber(s, r);
  if (!tested) return `${targetChain(r)} is rule ${no}'s target in ${chain}, but rule ${no} was never tested: an earlier rule already sent the packet elsewhere.`;
  if (tested.kind === "nomatch") return `${targetChain(r)} is rule ${no}'s target in ${chain}; rule ${no} missed (${tested.fail.why}), so the packet went on to the next rule.`;
  return undefined;
}

function fail(kind: QuestionKind, why: string, hint?: string): never {
  throw new CommandError(`cannot ask "${kind}" about this packet: ${why}`, undefined, hint);
}

function make(kind: QuestionKind, question: string, expected: string, accepts: (a: string) => boolean, why: string[], wrong: (given: string) => string[]): Asked {
  const solution = [`${question}`, `answer: ${expected}`, ...why.map((l) => `  ${l}`)].join("\n");
  return {
    kind,
    question,
    expected,
    accepts,
    solution,
    explain(given) {
      if (accepts(given)) return `right: ${expected}.`;
      return [`"${given.trim()}" is not it: the answer is ${expected}.`, ...wrong(given), "The walk:", ...why.map((l) => `  ${l}`)].join("\n");
    },
  };
}

function askSep(s: Session, events: TraceEvent[]): Asked {
  const jump = events.find((e): e is RuleEvent => e.kind === "rule" && /^KUBE-SEP-/.test(targetChain(e.rule) ?? ""));
  if (!jump) fail("sep", "it went through no KUBE-SEP chain", "send a packet to a Service's cluster IP and port");
  const sep = targetChain(jump.rule)!;
  const svc = jump.chain;
  const lines = [`${svc}${s.names.decode(svc) ? ` (${s.names.decode(svc)!.replace(/^[^=]*= /, "")})` : ""}:`, ...chainEvents(events, svc).map((e) => "  " + walkLine(s, e))];
  const meaning = s.names.decode(sep);
  lines.push(`so the packet takes ${sep}${meaning ? ` — ${meaning.replace(/^[^=]*= /, "")}` : ""}.`);
  const candidates = (s.engine.ruleset.tables.get("nat")?.chains.get(svc)?.rules ?? []).map(targetChain).filter((c): c is string => !!c?.startsWith("KUBE-SEP-"));
  return make("sep", "Which KUBE-SEP chain does the packet take?", sep, (a) => a.trim().toUpperCase() === sep, lines, (given) => {
    const where = whereInChain(s, events, svc, given);
    if (where) return [where];
    return [`${given.trim()} is not one of ${svc}'s endpoint chains (${candidates.join(", ")}).`];
  });
}

function askSvc(s: Session, events: TraceEvent[]): Asked {
  const jump = events.find((e): e is RuleEvent => e.kind === "rule" && /^KUBE-(SVC|SVL)-/.test(targetChain(e.rule) ?? ""));
  if (!jump) fail("svc", "it matched no Service (no jump to a KUBE-SVC or KUBE-SVL chain)", "send a packet to a Service's cluster IP and port");
  const svc = targetChain(jump.rule)!;
  const meaning = s.names.decode(svc)?.replace(/^[^=]*= /, "");
  const service = /^Service (\S+?)(?: port |\s|$)/.exec(meaning ?? "")?.[1];
  const lines = [`${jump.chain} ${ruleNumber(s, jump.rule)} matched: -A ${jump.chain} ${jump.rule.text}`, `so the packet jumps to ${svc}${meaning ? ` — ${meaning}` : ""}.`];
  const accepts = (a: string) => a.trim().toUpperCase() === svc || (service !== undefined && norm(a) === service.toLowerCase());
  return make("svc", "Which Service chain (KUBE-SVC-…) does the packet enter?", svc, accepts, lines, (given) => {
    const where = whereInChain(s, events, jump.chain, given);
    return where ? [where] : [];
  });
}

function askDnat(s: Session, events: TraceEvent[]): Asked {
  const nat = events.find((e): e is Extract<TraceEvent, { kind: "nat" }> => e.kind === "nat" && e.manip === "DST" && e.dir === "ORIGINAL");
  if (!nat) fail("dnat", "no rule or conntrack entry rewrote its destination");
  const to = endpoint(nat.to.dst, nat.to.dport, nat.to.proto);
  const lines = [
    nat.rule ? `${ruleRef(s, nat.rule)} rewrote the destination: -A ${nat.rule.chain} ${nat.rule.text}` : "conntrack rewrote the destination from the connection's entry",
    `${describePacket(nat.from)} ⇒ ${describePacket(nat.to)}`,
  ];
  return make("dnat", "Where does DNAT send the packet (the new destination, IP:PORT)?", to, addressAccepts(nat.to.dst, nat.to.proto === "icmp" ? undefined : nat.to.dport), lines, () => []);
}

function askMark(s: Session, events: TraceEvent[], input: number): Asked {
  // the mark as the packet enters POSTROUTING (what KUBE-POSTROUTING tests), or as it is delivered
  let mark = input;
  for (const e of events) if (e.kind === "table-done" && e.hook !== "POSTROUTING") mark = e.pkt.mark;
  const setters = events.filter((e): e is RuleEvent => e.kind === "rule" && e.after !== undefined && e.hook !== "POSTROUTING" && e.rule.target?.kind === "ext" && /MARK/.test(e.rule.target.module.name));
  let cur = input;
  const lines = setters.map((e) => {
    const line = `${ruleRef(s, e.rule)}: mark ${hexMark(cur)} → ${hexMark(e.after!.mark)}${cur === e.after!.mark ? " (unchanged)" : ""} — -A ${e.chain} ${e.rule.text}`;
    cur = e.after!.mark;
    return line;
  });
  if (!setters.length) lines.push("no MARK rule matched before POSTROUTING, so the packet keeps the mark it came with");
  lines.push(`mark as the packet reaches POSTROUTING: ${hexMark(mark)}${mark === 0 ? " (none)" : ""}`);
  return make("mark", "Which mark does the packet carry when it reaches POSTROUTING (0x… or none)?", hexMark(mark), (a) => parseMark(a) === mark, lines, (given) => {
    const g = parseMark(given);
    return g === undefined ? [`"${given.trim()}" is not a mark: write it as 0x4000, 16384 or none.`] : [];
  });
}

/** The routing decisions of the walk, as explain mode words them. */
function routeLines(events: TraceEvent[]): string[] {
  return events.flatMap((e) => (e.kind === "route" ? [routeEventText(e.why, e.query, e.result)] : []));
}

/** Where DNAT sent the packet, when it did: the line that decides what routing looks up. */
function dnatLines(s: Session, events: TraceEvent[]): string[] {
  const nat = events.find((e): e is Extract<TraceEvent, { kind: "nat" }> => e.kind === "nat" && e.manip === "DST" && e.dir === "ORIGINAL");
  if (!nat) return [];
  const sep = nat.rule?.chain.startsWith("KUBE-SEP-") ? ` (${nat.rule.chain}, the endpoint the Service's statistic rules picked)` : "";
  return [`${nat.rule ? ruleRef(s, nat.rule) : "conntrack"} DNAT: destination ${endpoint(nat.from.dst, nat.from.dport, nat.from.proto)} → ${endpoint(nat.to.dst, nat.to.dport, nat.to.proto)}${sep}`];
}

function askOutInterface(s: Session, events: TraceEvent[], fate: Fate): Asked {
  if (fate.kind !== "sent") fail("out-interface", `it does not leave the node: ${fateText(fate)}`);
  const lines = [...dnatLines(s, events), ...routeLines(events), `FATE: ${fateText(fate)}`];
  return make("out-interface", "By which interface does the packet leave the node?", fate.iface, (a) => norm(a).replace(/^dev /, "") === fate.iface.toLowerCase(), lines, () => []);
}

function askDrop(s: Session, events: TraceEvent[], fate: Fate): Asked {
  if (fate.kind !== "dropped" && fate.kind !== "rejected") fail("drop", `no rule or policy drops it: ${fateText(fate)}`);
  const expected = fate.rule ? ruleRef(s, fate.rule) : `${fate.table} ${fate.chain} policy`;
  const lines = [
    fate.rule ? `${expected}: -A ${fate.rule.chain} ${fate.rule.text}` : `${fate.table} ${fate.chain}: no rule accepted the packet, so the chain's policy DROP applied`,
    `FATE: ${fateText(fate)}`,
  ];
  const accepts = (a: string) => normRuleAnswer(a) === normRuleAnswer(expected);
  return make("drop", "Which table, chain and rule drops or rejects the packet (e.g. filter FORWARD #3)?", expected, accepts, lines, (given) => {
    const m = /^(\S+) (\S+) (\d+)$/.exec(normRuleAnswer(given));
    if (!m) return [`write the answer as TABLE CHAIN #N, e.g. filter KUBE-FORWARD #1${fate.rule ? "" : ", or TABLE CHAIN policy"}.`];
    const chain = [...(s.engine.ruleset.tables.get(m[1] as never)?.chains.values() ?? [])].find((c) => c.name.toLowerCase() === m[2]);
    const r = chain?.rules[Number(m[3]) - 1];
    if (!r) return [`there is no rule ${m[1]} ${m[2]} #${m[3]}.`];
    const tested = events.filter((e): e is RuleEvent | MissEvent => (e.kind === "rule" || e.kind === "nomatch") && e.rule === r);
    if (!tested.length) return [`${ruleRef(s, r)} was never tested for this packet.`];
    const miss = tested.find((e): e is MissEvent => e.kind === "nomatch");
    if (miss) return [`${ruleRef(s, r)} did not match: ${miss.fail.clause} — ${miss.fail.why}.`];
    return [`${ruleRef(s, r)} matched, but its verdict is not what ended the packet: -A ${r.chain} ${r.text}`];
  });
}

function askPodSource(s: Session, events: TraceEvent[], fate: Fate, finalPkt: { src: number; sport: number; proto: string }): Asked {
  if (fate.kind !== "sent" && fate.kind !== "delivered") fail("pod-source", `it reaches no pod: ${fateText(fate)}`);
  const snat = events.filter((e): e is Extract<TraceEvent, { kind: "nat" }> => e.kind === "nat" && e.manip === "SRC" && e.dir === "ORIGINAL");
  const lines = snat.length
    ? snat.map((e) => `${e.rule ? `${ruleRef(s, e.rule)} (-A ${e.rule.chain} ${e.rule.text})` : "conntrack"} rewrote the source: ${describePacket(e.from)} ⇒ ${describePacket(e.to)}`)
    : ["no SNAT or MASQUERADE rule matched, so the source address is left as the client sent it"];
  lines.unshift(...dnatLines(s, events), ...routeLines(events));
  const src = formatIp(finalPkt.src);
  // a port MASQUERADE or SNAT chose (--random-fully, or a clash) is nothing a learner can know:
  // then any port goes with the right address; an unchanged one is the client's own, and must match
  const portChosen = snat.some((e) => e.from.sport !== e.to.sport);
  const port = finalPkt.proto === "icmp" || portChosen ? undefined : finalPkt.sport;
  lines.push(`the pod sees the packet come from ${endpoint(finalPkt.src, finalPkt.sport, finalPkt.proto)}`);
  return make("pod-source", "Which source address does the pod see?", src, addressAccepts(finalPkt.src, port), lines, () => []);
}

const FATE_WORDS: Record<Fate["kind"], string[]> = {
  sent: ["sent", "forwarded", "sent out", "leaves", "routed"],
  delivered: ["delivered", "local", "delivered locally", "input"],
  dropped: ["dropped", "drop"],
  rejected: ["rejected", "reject"],
  unroutable: ["unroutable", "no route"],
  "not-forwarded": ["not-forwarded", "not forwarded"],
};

function askFate(fate: Fate): Asked {
  const lines = [`FATE: ${fateText(fate)}`];
  return make("fate", `What happens to the packet (${Object.keys(FATE_WORDS).join(", ")})?`, fate.kind, (a) => FATE_WORDS[fate.kind].includes(norm(a)), lines, () => []);
}

/** The conntrack state the packet gets where it enters (the first conntrack line of its walk), and what follows from it. */
function askCtState(events: TraceEvent[], fate: Fate, input: Packet): Asked {
  const ct = events.find((e): e is Extract<TraceEvent, { kind: "conntrack" }> => e.kind === "conntrack");
  if (!ct) fail("ctstate", "conntrack never saw it (no rule of this ruleset uses conntrack)");
  const state = ct.view.state;
  const segment = describeSegment(input);
  const lines = [...(segment ? [`the segment: ${segment}`] : []), `${ct.hook} conntrack: ${describeCt(ct.view)}`];
  if (state === "INVALID") lines.push("an INVALID packet has no conntrack entry: no NAT from the connection is applied to it, and only rules that test --ctstate INVALID single it out");
  const natSkip = events.find((e): e is Extract<TraceEvent, { kind: "nat-skip" }> => e.kind === "nat-skip");
  if (natSkip && state === "INVALID") lines.push(`${natSkip.hook} nat: skipped — ${natSkip.reason}`);
  lines.push(`FATE: ${fateText(fate)}`);
  return make("ctstate", `Which conntrack state does the packet get (${CT_STATES.join(", ")})?`, state, (a) => norm(a).toUpperCase() === state, lines, (given) =>
    (CT_STATES as readonly string[]).includes(norm(given).toUpperCase()) ? [] : [`answer with one of ${CT_STATES.join(", ")}.`],
  );
}

/** The fates a segment question offers: where the packet ends, in one word. */
export const SEGMENT_FATES = ["sent", "delivered", "dropped", "rejected"] as const;

/**
 * "Is this segment INVALID, and what happens to it next?": its conntrack state and its fate, as
 * "INVALID, dropped". Both must be right; the explanation is the state's and the fate's.
 */
function askSegment(events: TraceEvent[], fate: Fate, input: Packet): Asked {
  const state = askCtState(events, fate, input);
  const word = fate.kind === "sent" || fate.kind === "delivered" || fate.kind === "dropped" || fate.kind === "rejected" ? fate.kind : undefined;
  if (!word) fail("segment", `it neither leaves, is delivered nor is dropped: ${fateText(fate)}`);
  const expected = `${state.expected}, ${word}`;
  const parse = (a: string) => {
    const [st, ...rest] = norm(a).split(/[\s,;]+/).filter(Boolean);
    return { st: st?.toUpperCase(), fate: rest.join(" ") };
  };
  const accepts = (a: string) => {
    const p = parse(a);
    return p.st === state.expected && FATE_WORDS[fate.kind].includes(p.fate);
  };
  const why = state.solution.split("\n").slice(2).map((l) => l.trim());
  return make("segment", `Which conntrack state does the segment get, and what happens to it (STATE, FATE — e.g. INVALID, dropped)?`, expected, accepts, why, (given) => {
    const p = parse(given);
    const out: string[] = [];
    if (!(CT_STATES as readonly string[]).includes(p.st ?? "")) out.push(`start with a conntrack state (${CT_STATES.join(", ")}), then the fate (${SEGMENT_FATES.join(", ")}).`);
    else if (p.st !== state.expected) out.push(`the state is ${state.expected}, not ${p.st}.`);
    if (p.fate && !FATE_WORDS[fate.kind].includes(p.fate)) out.push(`the packet is ${word}, not ${p.fate}.`);
    return out;
  });
}

/** Asks `kind` about the session's last packet; throws CommandError when its walk cannot answer. */
export function ask(kind: QuestionKind, s: Session): Asked {
  const { events, fate } = lastWalk(s);
  const last = s.sent[s.sent.length - 1]!;
  switch (kind) {
    case "sep":
      return askSep(s, events);
    case "svc":
      return askSvc(s, events);
    case "dnat":
      return askDnat(s, events);
    case "mark":
      return askMark(s, events, last.input.mark);
    case "out-interface":
      return askOutInterface(s, events, fate);
    case "drop":
      return askDrop(s, events, fate);
    case "pod-source":
      return askPodSource(s, events, fate, last.result.pkt);
    case "fate":
      return askFate(fate);
    case "ctstate":
      return askCtState(events, fate, last.input);
    case "segment":
      return askSegment(events, fate, last.input);
  }
}

export function isQuestionKind(k: string): k is QuestionKind {
  return (QUESTION_KINDS as readonly string[]).includes(k);
}
