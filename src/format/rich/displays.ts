/**
 * Typed display data for command results, built from the session's state: the walk with its
 * rule numbers and chain meanings, the state of the packet after each table, a chain as a table,
 * a route lookup as a table.
 *
 * Why: the commands return this beside their text; renderers (HTML, SVG, ASCII) need nothing
 * else — no session, no ruleset, no re-parsing of the text.
 */
import type { Session } from "../../lang/session.js";
import { ruleKey, type ConntrackDisplay, type StateDisplay, type StateRow, type StatsDisplay, type TableDisplay, type WalkDisplay } from "../../lang/command.js";
import type { TraceEvent } from "../../engine/trace/events.js";
import type { Packet } from "../../engine/model/packet.js";
import type { TableName } from "../../engine/model/ruleset.js";
import type { CtEntry } from "../../engine/conntrack/entry.js";
import type { RouteQuery, RouteResult } from "../../engine/route/lookup.js";
import { formatIp } from "../../engine/model/ipv4.js";
import { tableName } from "../../engine/model/node.js";
import { describeCt, describePacket, describeSegment, fateText } from "../describe.js";
import { expectedShares } from "./stats-svg.js";
import { missesLine, missesRange } from "../misses.js";
import { positionPath, type Stepper } from "../../lang/stepper.js";

export function walkDisplay(s: Session, input: Packet, events: TraceEvent[]): WalkDisplay {
  const ruleNumbers: Record<string, number> = {};
  const meanings: Record<string, string> = {};
  const visit = (evs: TraceEvent[]) => {
    for (const e of evs) {
      if (e.kind === "spawned") visit(e.events);
      if (e.kind !== "rule" && e.kind !== "nomatch") continue;
      const key = ruleKey(e.rule.table, e.rule.chain, e.rule.handle);
      if (!(key in ruleNumbers)) {
        const n = s.ruleNumbers.of(e.rule.table, e.rule.chain, e.rule.handle);
        if (n !== undefined) ruleNumbers[key] = n;
      }
      if (e.kind === "rule" && (e.verdict.kind === "JUMP" || e.verdict.kind === "GOTO") && /^KUBE-(SVC|SVL|EXT|FW|SEP)-/.test(e.verdict.chain)) {
        const m = s.names.decode(e.verdict.chain);
        if (m) meanings[e.verdict.chain] = m;
      }
    }
  };
  visit(events);
  return { kind: "walk", events, input, tracing: s.hasTraceRule, ruleNumbers, meanings, now: s.engine.now };
}

function stateRow(label: string, p: Packet, outIf: string | undefined, hook?: StateRow["hook"], table?: TableName): StateRow {
  const ports = p.proto !== "icmp";
  return { label, hook, table, src: formatIp(p.src), sport: ports ? p.sport : undefined, dst: formatIp(p.dst), dport: ports ? p.dport : undefined, outIf, mark: p.mark };
}

/**
 * Where the cursor is, as the status line, `where` and `show state` say it: before the first
 * step, at a routing decision, at the forward TTL, in a chain, or at the fate (with what it was).
 */
export function cursorPlace(st: Stepper, withFate = true): string {
  if (st.pos < 0) return "before the first step";
  if (st.done) return withFate ? `at its fate: ${fateText(st.sent.result.fate)}` : "at its fate";
  const p = st.position();
  const e = p.event;
  if (e?.kind === "route") return `routing decision (${e.why})${p.hook ? ` after ${p.hook}` : ""}`;
  if (e?.kind === "ttl") return `forwarding: TTL ${e.from} → ${e.to}, before FORWARD`;
  return positionPath(p);
}

/** The packet as sent, after each table it went through, and where the cursor is now. */
export function stateDisplay(s: Session): StateDisplay | undefined {
  const st = s.stepper;
  if (!st) return undefined;
  const end = st.pos < 0 ? -1 : st.stops[st.pos]!;
  const rows: StateRow[] = [stateRow("as sent", st.sent.input, st.sent.input.oif)];
  st.events.slice(0, end + 1).forEach((e) => {
    if (e.kind === "table-done") rows.push(stateRow(`after ${e.table} ${e.hook}`, e.pkt, e.outIf, e.hook, e.table));
  });
  const p = st.position();
  const at = cursorPlace(st);
  if (!st.done && st.pos >= 0) rows.push(stateRow("now", p.pkt, p.outIf, p.hook, p.table));
  const segment = describeSegment(p.pkt);
  return { kind: "state", rows, notes: [`where: ${at}`, `packet: ${describePacket(p.pkt)}`, ...(segment ? [`tcp: ${segment}`] : []), `conntrack: ${describeCt(p.ct)}`] };
}

export function conntrackDisplay(entries: CtEntry[], now: number, note?: string): ConntrackDisplay {
  return { kind: "conntrack", entries, now, note: note || undefined };
}

/** A chain's rules as a table: number, counters, target, the rule as iptables-save writes it. */
export function chainTable(s: Session, table: TableName, chain: string, counters = s.countersAtCursor()): TableDisplay | undefined {
  const c = s.engine.ruleset.tables.get(table)?.chains.get(chain);
  if (!c) return undefined;
  const rows = c.rules.map((r, i) => {
    const [pk, by] = counters.get(r) ?? [0, 0];
    const target = !r.target ? "" : r.target.kind === "verdict" ? r.target.name : r.target.kind === "ext" ? r.target.module.name : r.target.chain;
    return [String(i + 1), String(pk), String(by), target, `-A ${c.name} ${r.text}`];
  });
  const policy = c.builtin ? `policy ${c.policy ?? "ACCEPT"}` : "user chain: falls back to the calling chain at its end";
  return { kind: "table", title: `${table} ${c.name} (${policy})`, columns: ["#", "pkts", "bytes", "target", "rule"], rows };
}

/** `route get` as a table of what the lookup decided. */
export function routeTable(q: RouteQuery, r: RouteResult, line: string): TableDisplay {
  const rows: string[][] = [["destination", formatIp(q.dst)]];
  if (q.src !== undefined) rows.push(["from", formatIp(q.src)]);
  if (q.iif) rows.push(["arriving on", q.iif]);
  if (q.mark) rows.push(["mark", `0x${q.mark.toString(16)}`]);
  rows.push(["outcome", r.outcome]);
  if (r.via !== undefined) rows.push(["next hop (via)", formatIp(r.via)]);
  if (r.dev) rows.push(["device", r.dev]);
  if (r.src !== undefined) rows.push(["preferred source", formatIp(r.src)]);
  if (r.table !== undefined) rows.push(["routing table", tableName(r.table)]);
  rows.push(["ip route get says", line]);
  return { kind: "table", title: `route get ${formatIp(q.dst)}`, columns: ["", ""], rows };
}

/** `stats`' counts, with the shares the statistic rules of the KUBE-SVC chains seen promise. */
export function statsDisplay(s: Session, total: number, counts: Map<string, number>, chainsOf: Map<string, string[]>, fates: Map<string, number>, svcChains: Set<string>, toOf: Map<string, Set<string>>): StatsDisplay {
  const expected = [...svcChains].flatMap((c) => expectedShares(s.engine.ruleset, c) ?? []);
  return {
    kind: "stats",
    total,
    counts: [...counts].sort((a, b) => b[1] - a[1]).map(([k, count]) => ({ chains: chainsOf.get(k) ?? [], count, to: [...(toOf.get(k) ?? [])] })),
    expected,
    fates: [...fates].sort((a, b) => b[1] - a[1]).map(([fate, count]) => ({ fate, count })),
  };
}

/** The node's interfaces as a table. */
export function interfacesTable(s: Session): TableDisplay {
  const rows = s.engine.node.interfaces.map((i) => [String(i.index), i.name, i.up ? "UP" : "DOWN", String(i.mtu), i.mac, i.addrs.map((a) => `${formatIp(a.ip)}/${a.prefix} (${a.scope})`).join(", ")]);
  return { kind: "table", title: "interfaces", columns: ["#", "name", "state", "mtu", "MAC", "addresses"], rows };
}

/** The node's routes as a table, one column per field `ip route` prints. */
export function routesTable(s: Session): TableDisplay {
  const rows = s.engine.node.routes.map((r) => [
    r.type,
    r.dst.prefix === 0 ? "default" : `${formatIp(r.dst.addr)}/${r.dst.prefix}`,
    r.via !== undefined ? formatIp(r.via) : "",
    r.dev ?? "",
    r.src !== undefined ? formatIp(r.src) : "",
    tableName(r.table),
    r.scope,
    r.proto ?? "",
    r.metric ? String(r.metric) : "",
  ]);
  return { kind: "table", title: "routes", columns: ["type", "destination", "via", "dev", "src", "table", "scope", "proto", "metric"], rows };
}

/** `where`: the cursor's hook, table, chain, rule, the jumps that led there, the packet there. */
export function whereTable(s: Session): TableDisplay | undefined {
  const st = s.stepper;
  if (!st) return undefined;
  const p = st.position();
  const rows: string[][] = [];
  if (st.pos < 0) rows.push(["position", "before the first step"]);
  else if (st.done) rows.push(["position", `at its fate: ${fateText(st.sent.result.fate)}`]);
  else {
    if (p.hook) rows.push(["hook", p.hook]);
    if (p.table) rows.push(["table", p.table]);
    if (p.chain) rows.push(["chain", p.chain]);
    if (p.ruleIndex) rows.push(["rule", `#${p.ruleIndex}`]);
    if (p.stack.length > 1 && p.table) rows.push(["jump stack", p.stack.join(" → ")]);
    const e = p.event;
    if (e && (e.kind === "rule" || e.kind === "nomatch")) rows.push(["the rule", `-A ${e.rule.chain} ${e.rule.text}`], ["result", e.kind === "rule" ? "matched" : `did not match: ${e.fail.clause} — ${e.fail.why}`]);
    else if (e?.kind === "misses") rows.push(["the rules", `${missesRange(e)} of ${e.chain}`], ["result", missesLine(e)]);
    else if (e?.kind === "route") rows.push(["step", `routing decision (${e.why})`]);
  }
  rows.push(["packet", describePacket(p.pkt)]);
  const segment = describeSegment(p.pkt);
  if (segment) rows.push(["tcp", segment]);
  if (p.outIf) rows.push(["out", p.outIf]);
  rows.push(["conntrack", describeCt(p.ct)]);
  return { kind: "table", title: "where the packet is", columns: ["", ""], rows };
}
