/**
 * The source/destination port clauses tcp, udp and sctp share: parse, print back, test.
 *
 * Why: `--sport`/`--dport` mean the same in all three matches and iptables prints them the same
 * way; one implementation keeps them identical. `portMatch` builds the whole match for the
 * protocols that have nothing else (udp, sctp).
 */
import type { BuildCtx, MatchFail, MatchModule, OptionSpec, OptionUse } from "./types.js";
import type { L4Proto, Packet } from "../model/packet.js";
import { bang, formatPortRange, fullRangeDropped, inRange, portRangeArg, uniqueUses, type PortRange } from "./util.js";

export interface PortClauses {
  sport?: { range: PortRange; neg: boolean };
  dport?: { range: PortRange; neg: boolean };
}

export const PORT_OPTIONS: OptionSpec[] = [
  { name: "sport", aliases: ["source-port"], negatable: true, help: "source port or range a:b" },
  { name: "dport", aliases: ["destination-port"], negatable: true, help: "destination port or range a:b" },
];

export function buildPorts(m: Map<string, OptionUse>, ctx: BuildCtx): PortClauses {
  const d: PortClauses = {};
  const sp = m.get("sport");
  if (sp) d.sport = fullRangeDropped(portRangeArg(sp, ctx), sp.negated);
  const dp = m.get("dport");
  if (dp) d.dport = fullRangeDropped(portRangeArg(dp, ctx), dp.negated);
  return d;
}

export function savePorts(d: PortClauses): string[] {
  const parts: string[] = [];
  if (d.sport) parts.push(`${bang(d.sport.neg)}--sport ${formatPortRange(d.sport.range)}`);
  if (d.dport) parts.push(`${bang(d.dport.neg)}--dport ${formatPortRange(d.dport.range)}`);
  return parts;
}

/** iptables -L: " spt:80", " dpts:1000:2000", " spt:!22" */
export function listPorts(label: "spt" | "dpt", p: PortClauses["sport"]): string {
  if (!p) return "";
  const { min, max } = p.range;
  const inv = p.neg ? "!" : "";
  return min === max ? ` ${label}:${inv}${min}` : ` ${label}s:${inv}${min}:${max}`;
}

export function testPorts(d: PortClauses, pkt: Packet): MatchFail | null {
  if (d.sport && inRange(pkt.sport, d.sport.range) === d.sport.neg)
    return { clause: `${bang(d.sport.neg)}--sport ${formatPortRange(d.sport.range)}`, why: `sport is ${pkt.sport}` };
  if (d.dport && inRange(pkt.dport, d.dport.range) === d.dport.neg)
    return { clause: `${bang(d.dport.neg)}--dport ${formatPortRange(d.dport.range)}`, why: `dport is ${pkt.dport}` };
  return null;
}

/** The dispatch index's view of port clauses: one exact destination port, or no port at all. */
export function exactPortKey(d: PortClauses): { dport?: number } | undefined {
  if (d.sport) return undefined;
  if (!d.dport) return {};
  return !d.dport.neg && d.dport.range.min === d.dport.range.max ? { dport: d.dport.range.min } : undefined;
}

/** A match made only of port clauses, for `-p NAME -m NAME`. */
export function portMatch(name: L4Proto, protoNum: number, help: string): MatchModule<PortClauses> {
  return {
    kind: "match",
    name,
    help,
    needsProto: [protoNum],
    options: PORT_OPTIONS,
    build: (uses: OptionUse[], ctx: BuildCtx) => buildPorts(uniqueUses(uses, ctx), ctx),
    save: (d) => savePorts(d).join(" "),
    list: (d) => `${name}${listPorts("spt", d.sport)}${listPorts("dpt", d.dport)}`,
    exactKey: exactPortKey,
    test(d, { pkt }) {
      if (pkt.proto !== name) return { clause: `-m ${name}`, why: `protocol is ${pkt.proto}` };
      if (pkt.fragOffset) return { clause: `-m ${name}`, why: "non-first fragment" };
      return testPorts(d, pkt);
    },
  };
}
