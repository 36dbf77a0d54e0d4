/**
 * A packet's walk as plain data for notebook code: each step (hook, table, chain, rule number,
 * verdict), where it ended, and the few facts a learner asks about (the Service chain, the
 * endpoint chain, the destination after DNAT, the address that really leaves).
 *
 * Why: a TypeScript notebook wants numbers and names it can count, filter and chart — not text
 * to pick apart. Everything here is read from the walk's events, never from formatted output.
 */
import type { SentPacket } from "./lang/session.js";
import type { TraceEvent } from "./engine/trace/events.js";
import type { Ruleset } from "./engine/model/ruleset.js";
import { formatIp } from "./engine/model/ipv4.js";
import { describePacket, fateText } from "./format/describe.js";
import type { Packet } from "./engine/model/packet.js";
import { missedRules } from "./engine/walk/chain-walk.js";

/** One step of the walk: a rule tried, a chain's policy, a route lookup, a NAT rewrite... */
export interface WalkStep {
  kind: "rule" | "nomatch" | "policy" | "route" | "nat" | "conntrack" | "fate";
  hook?: string;
  table?: string;
  chain?: string;
  /** 1-based position of the rule in its chain, as `iptables -L --line-numbers` numbers it. */
  rule?: number;
  /** The rule as iptables-save prints it (after `-A CHAIN `). */
  ruleText?: string;
  /** ACCEPT, DROP, CONTINUE, RETURN, JUMP:CHAIN, GOTO:CHAIN — for a matching rule or a policy. */
  verdict?: string;
  /** A short sentence for anything that is not a rule. */
  note?: string;
}

/** The addresses of a packet, as dotted quads. */
export interface PacketData {
  proto: string;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** 0x… as iptables prints marks; "0x0" for none. */
  mark: string;
  text: string;
}

export interface WalkData {
  /** The packet as it was sent. */
  sent: PacketData;
  /** The packet at its fate (after every rewrite). */
  final: PacketData;
  fate: {
    kind: "delivered" | "sent" | "dropped" | "rejected" | "unroutable" | "not-forwarded";
    /** The interface it left by or arrived on (sent, delivered). */
    iface?: string;
    /** table, chain and rule number that dropped or rejected it. */
    table?: string;
    chain?: string;
    rule?: number;
    text: string;
  };
  /** KUBE-SVC-… chain the packet jumped to, if any. */
  svc?: string;
  /** KUBE-SEP-… chain the packet jumped to, if any (the endpoint kube-proxy chose). */
  sep?: string;
  /** Destination after DNAT, IP:PORT, if a DNAT happened. */
  dnat?: string;
  /** Source after SNAT/MASQUERADE, IP:PORT, if one happened. */
  snat?: string;
  /** Every chain entered by a jump or goto, in order. */
  jumps: string[];
  steps: WalkStep[];
}

const packetData = (p: Packet): PacketData => ({
  proto: p.proto,
  src: formatIp(p.src),
  sport: p.sport,
  dst: formatIp(p.dst),
  dport: p.dport,
  mark: `0x${p.mark.toString(16)}`,
  text: describePacket(p),
});

/** The walk of one sent packet as data; rule numbers are looked up in the ruleset it ran on. */
export function walkData(sent: SentPacket, ruleset: Ruleset): WalkData {
  const ruleNumber = (table: string, chain: string, handle: number) => {
    const rules = ruleset.tables.get(table as never)?.chains.get(chain)?.rules ?? [];
    const i = rules.findIndex((r) => r.handle === handle);
    return i >= 0 ? i + 1 : undefined;
  };
  const steps: WalkStep[] = [];
  const jumps: string[] = [];
  let dnat: string | undefined;
  let snat: string | undefined;
  const visit = (e: TraceEvent) => {
    switch (e.kind) {
      case "rule": {
        const verdict = e.verdict.kind === "JUMP" || e.verdict.kind === "GOTO" ? `${e.verdict.kind}:${e.verdict.chain}` : e.verdict.kind;
        if (e.verdict.kind === "JUMP" || e.verdict.kind === "GOTO") jumps.push(e.verdict.chain);
        steps.push({ kind: "rule", hook: e.hook, table: e.table, chain: e.chain, rule: ruleNumber(e.table, e.chain, e.rule.handle), ruleText: e.rule.text, verdict });
        break;
      }
      case "nomatch":
        steps.push({ kind: "nomatch", hook: e.hook, table: e.table, chain: e.chain, rule: ruleNumber(e.table, e.chain, e.rule.handle), ruleText: e.rule.text });
        break;
      case "misses":
        // rules the dispatch index skipped: one step each, as the linear walk has them
        missedRules(e).forEach((r, i) => steps.push({ kind: "nomatch", hook: e.hook, table: e.table, chain: e.chain, rule: e.first + i, ruleText: r.text }));
        break;
      case "policy":
        steps.push({ kind: "policy", hook: e.hook, table: e.table, chain: e.chain, verdict: e.policy });
        break;
      case "route":
        steps.push({ kind: "route", note: `${e.why} route lookup for ${formatIp(e.query.dst)}: ${e.result.outcome}${e.result.dev ? ` dev ${e.result.dev}` : ""}` });
        break;
      case "nat": {
        const to = e.manip === "DST" ? `${formatIp(e.to.dst)}:${e.to.dport}` : `${formatIp(e.to.src)}:${e.to.sport}`;
        if (e.dir === "ORIGINAL" && e.manip === "DST") dnat ??= to;
        if (e.dir === "ORIGINAL" && e.manip === "SRC") snat ??= to;
        steps.push({ kind: "nat", hook: e.hook, note: `${e.manip}NAT (${e.how === "rule" ? "new binding" : "from conntrack"}) to ${to}` });
        break;
      }
      case "conntrack":
        steps.push({ kind: "conntrack", hook: e.hook, note: `${e.created ? "new connection" : "known connection"}, ${e.view.state}` });
        break;
      case "fate":
        steps.push({ kind: "fate", note: fateText(e.fate) });
        break;
      default:
        break;
    }
  };
  sent.result.events.forEach(visit);
  const f = sent.result.fate;
  const fate: WalkData["fate"] = { kind: f.kind, text: fateText(f) };
  if (f.kind === "sent" || f.kind === "delivered") fate.iface = f.iface;
  if (f.kind === "dropped" || f.kind === "rejected") {
    fate.table = f.table;
    fate.chain = f.chain;
    if (f.rule) fate.rule = ruleNumber(f.table, f.chain, f.rule.handle);
  }
  return {
    sent: packetData(sent.input),
    final: packetData(sent.result.pkt),
    fate,
    svc: jumps.find((c) => c.startsWith("KUBE-SVC-")),
    sep: jumps.find((c) => c.startsWith("KUBE-SEP-")),
    dnat,
    snat,
    jumps,
    steps,
  };
}
