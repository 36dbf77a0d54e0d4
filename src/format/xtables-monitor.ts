/**
 * Prints trace events exactly as `xtables-monitor --trace` does.
 *
 * Why: fidelity is checked line by line against the real tool. Two dialects:
 * - modern: iptables 1.8.9 on this machine's kernel (measured, docs/kernel-notes/
 *   xtables-monitor-format.md): one PACKET line per traced base-chain call, trailing spaces on
 *   PACKET and policy lines, `ID=n DF`, no `return:` lines, RETURN printed as 0xfffffffb;
 * - article: the older node in the article's capture: `return:` lines at the end of user and
 *   base chains, a PACKET line only before a chain's first *rule* line, `ID=nDF`, no trailing
 *   spaces, and tcp/udp matches that follow another match printed without their options.
 */
import type { TraceEvent } from "../engine/trace/events.js";
import { verdictText } from "./verdict.js";
import type { Packet } from "../engine/model/packet.js";
import { formatIp } from "../engine/model/ipv4.js";
import type { Rule } from "../engine/model/ruleset.js";
import { saveRuleText } from "../engine/parse/rule-parser.js";
import type { Hook } from "../engine/walk/hooks.js";

export type Dialect = "modern" | "article";

const FLAG_ORDER: [string, number][] = [["SYN", 2], ["ACK", 16], ["FIN", 1], ["RST", 4], ["PSH", 8], ["URG", 32]];

/** ether_ntoa: lowercase hex without zero padding. */
function etherNtoa(mac: string): string {
  return mac.split(":").map((b) => parseInt(b, 16).toString(16)).join(":");
}

export function packetFields(p: Packet, hook: Hook, inIf: string | undefined, outIf: string | undefined, dialect: Dialect): string[] {
  const f: string[] = [];
  const showIn = inIf !== undefined && (hook === "PREROUTING" || hook === "INPUT" || hook === "FORWARD" || hook === "POSTROUTING");
  if (showIn) f.push(`IN=${inIf}`);
  if (outIf !== undefined && (hook === "OUTPUT" || hook === "FORWARD" || hook === "POSTROUTING")) f.push(`OUT=${outIf}`);
  if (showIn) {
    if (inIf === "lo") f.push("LOOPBACK");
    else if (p.macSrc && p.macDst) f.push(`MACSRC=${etherNtoa(p.macSrc)}`, `MACDST=${etherNtoa(p.macDst)}`, "MACPROTO=0800");
  }
  f.push(`SRC=${formatIp(p.src)}`, `DST=${formatIp(p.dst)}`, `LEN=${p.len}`, `TOS=0x${p.tos.toString(16)}`, `TTL=${p.ttl}`);
  if (dialect === "article") f.push(`ID=${p.id}${p.df ? "DF" : ""}`);
  else {
    f.push(`ID=${p.id}`);
    if (p.df) f.push("DF");
  }
  if (p.proto === "tcp" || p.proto === "udp" || p.proto === "sctp") {
    f.push(`SPORT=${p.sport}`, `DPORT=${p.dport}`);
    if (p.proto === "tcp") for (const [name, bit] of FLAG_ORDER) if (p.tcpFlags & bit) f.push(name);
  }
  if (p.mark) f.push(`MARK=0x${p.mark.toString(16)}`);
  return f;
}

/** The article's older iptables printed a tcp/udp match that follows another match without its options. */
function articleRuleText(r: Rule): string {
  const matches = r.matches.filter((m, i) => !(i > 0 && (m.module.name === "tcp" || m.module.name === "udp") && m.module.save(m.data) !== ""));
  return saveRuleText({ ...r, matches });
}

export function ruleTraceText(r: Rule, dialect: Dialect): string {
  const text = dialect === "article" ? articleRuleText(r) : r.text;
  return `-4 -t ${r.table} -A ${r.chain}${text ? " " + text : ""}`;
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, "0");

/** The lines xtables-monitor would print for these events, in order. */
export function formatXtablesMonitor(events: TraceEvent[], dialect: Dialect = "modern"): string[] {
  const out: string[] = [];
  const sp = dialect === "modern" ? " " : "";
  let id = 0;
  let pending: string | undefined; // article: PACKET waits for the chain's first rule line
  for (const e of events) {
    if (e.kind === "spawned") {
      // the answer's own trace comes before the rejecting rule's line, as the kernel prints it
      out.push(...formatXtablesMonitor(e.events, dialect));
      continue;
    }
    if (e.kind === "packet") {
      if (!e.traced) continue;
      id = e.pkt.traceId;
      const line = `PACKET: 2 ${hex8(id)} ${packetFields(e.pkt, e.hook, e.inIf, e.outIf, dialect).join(" ")}${sp}`;
      if (dialect === "modern") out.push(line);
      else pending = line;
      continue;
    }
    if (e.kind !== "rule" && e.kind !== "return" && e.kind !== "policy") continue;
    if (!e.traced) continue;
    const head = ` TRACE: 2 ${hex8(id)} ${e.table}:${e.chain}:`;
    if (e.kind === "rule") {
      if (pending) out.push(pending);
      pending = undefined;
      out.push(`${head}rule:0x${e.rule.handle.toString(16)}:${verdictText(e.verdict)}  ${ruleTraceText(e.rule, dialect)}`);
    } else if (e.kind === "return") {
      if (dialect === "article") out.push(`${head}return:`);
    } else {
      pending = undefined;
      out.push(`${head}policy:${e.policy}${sp}`);
    }
  }
  return out;
}
