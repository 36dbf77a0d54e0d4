/**
 * `show …` and `trace`: look without moving anything — the packet's state, a chain as
 * `iptables -L` lists it, the conntrack table as `conntrack -L` prints it, the node's interfaces,
 * routes, policy rules and ipsets, the trace so far.
 *
 * Why: between packets a learner inspects the node, in the words the real tools use.
 */
import type { Command } from "../command.js";
import type { Session } from "../session.js";
import { CommandError } from "../words.js";
import { didYouMean } from "../../engine/parse/errors.js";
import type { TableName } from "../../engine/model/ruleset.js";
import { formatCidr, formatIp } from "../../engine/model/ipv4.js";
import { saveIpsets } from "../../engine/model/ipset.js";
import { CT_STATUS } from "../../engine/conntrack/entry.js";
import { formatCtEntry, formatTcpSide, formatTcpWindows } from "../../format/conntrack-line.js";
import { tableName } from "../../engine/model/node.js";
import { formatXtablesMonitor } from "../../format/xtables-monitor.js";
import { describeCt, describePacket, describeSegment, stateOfPacket } from "../../format/describe.js";
import { verdictText } from "../../format/verdict.js";
import { listChainLikeIptables } from "../../format/list.js";
import { HOOK_STAGES, PATHS, type Hook } from "../../engine/walk/hooks.js";
import { completeChain, completeTable, prefixFilter } from "../complete.js";
import { chainTable, conntrackDisplay, cursorPlace, interfacesTable, routesTable, stateDisplay } from "../../format/rich/displays.js";
import { sessionScene } from "./diagram.js";
import { findChain } from "./find-chain.js";
import { missesLine, missesRange } from "../../format/misses.js";
import type { Display } from "../command.js";
import { entryExpired } from "../../engine/conntrack/table.js";
import { sendExample } from "../send-example.js";

/** What `ip rule` lists on a node with no policy rules of its own. */
const DEFAULT_POLICY_RULES = [
  { priority: 0, table: 255 },
  { priority: 32766, table: 254 },
  { priority: 32767, table: 253 },
] as { priority: number; table: number; from?: undefined; fwmark?: undefined }[];

const SHOW_WHAT = ["state", "chain", "rule", "path", "conntrack", "interfaces", "routes", "rules", "sets", "trace", "source"];

/** The hooks and tables of the packet's path, the ones behind it ticked and the current one marked. */
function showPath(s: Session): string {
  const st = s.stepper;
  if (!st) return "no packet yet";
  const r = st.sent.result;
  const local = st.sent.input.iif === undefined;
  const f = r.fate;
  const hooks: Hook[] = local ? PATHS.local : f.kind === "delivered" ? PATHS.input : PATHS.forward;
  const pos = st.position();
  const seen = new Set<string>();
  const end = st.pos < 0 ? -1 : st.stops[st.pos]!;
  r.events.slice(0, end + 1).forEach((e) => {
    if ("table" in e && "hook" in e) seen.add(`${e.hook} ${e.table}`);
  });
  const lines: string[] = [];
  for (const h of hooks) {
    const tables = HOOK_STAGES[h].filter((x) => x.kind === "table" && s.engine.ruleset.tables.get(x.table!)?.chains.has(h)).map((x) => {
      const key = `${h} ${x.table}`;
      const mark = pos.hook === h && pos.table === x.table ? "▶" : seen.has(key) ? "✓" : "·";
      return `${mark} ${x.table}`;
    });
    lines.push(`${pos.hook === h ? "▶" : " "} ${h.padEnd(12)} ${tables.join("  ") || "(no tables)"}`);
    if (h === "PREROUTING" || (local && h === "OUTPUT")) lines.push(`  ${"".padEnd(12)} [routing decision]`);
  }
  return lines.join("\n");
}

export const show: Command = {
  name: "show",
  maxArgs: 3,
  usage: "show state|rule|path|chain TABLE CHAIN|conntrack [window]|interfaces|routes|rules|sets|trace|source",
  summary: "look at the packet, a chain, the conntrack table, the node",
  examples: ["show state", "show chain nat KUBE-SVC-Y4T5L63IYP3YFEBS", "show conntrack", "show routes"],
  run(s, args) {
    const what = args[0];
    if (!what) throw new CommandError("show what?", undefined, `show ${SHOW_WHAT.join("|")}`);
    // only `show chain [TABLE] CHAIN` and `show conntrack window` take more words; no word is ignored
    const most = what.text === "chain" ? 3 : what.text === "conntrack" ? 2 : 1;
    if (args.length > most) throw new CommandError(`show ${what.text} takes ${most === 1 ? "no more words" : most === 2 ? "at most one more word" : "at most a table and a chain"}: "${args[most]!.text}" is one too many`, args[most]!.col);
    switch (what.text) {
      case "state": {
        const st = s.stepper;
        if (!st) return { text: `no packet yet — try: ${sendExample(s)}` };
        const p = st.position();
        const at = cursorPlace(st);
        const segment = describeSegment(p.pkt);
        const lines = [`where: ${at}`, `packet: ${describePacket(p.pkt)}`, ...(segment ? [`tcp: ${segment}`] : []), `in: ${p.pkt.iif ?? "(locally generated)"}  out: ${p.outIf ?? (p.delivered ? "(none: for the node itself)" : st.done ? "(none)" : "(not routed yet)")}`, `conntrack: ${describeCt(p.ct)}`, "state of the packet:"];
        lines.push(...stateOfPacket(p.pkt, p.outIf).map((l) => "  " + l));
        if (p.ct?.entry) lines.push(`entry: ${formatCtEntry(p.ct.entry, s.engine.now)}`);
        return { text: lines.join("\n"), display: [stateDisplay(s)!] };
      }
      case "rule": {
        const e = s.stepper?.position().event;
        if (e?.kind === "misses") return { text: `${e.table} ${e.chain} rules ${missesRange(e)}\n  ${missesLine(e)}\n  (explain misses lists each of them with why it missed)` };
        if (!e || (e.kind !== "rule" && e.kind !== "nomatch")) return { text: "the cursor is not on a rule (step to one first)" };
        const verdict = e.kind === "rule" ? `matched → ${verdictText(e.verdict)}` : `did not match: ${e.fail.clause} — ${e.fail.why}`;
        const n = s.stepper!.position().ruleIndex ?? "?";
        const rows = [["table", e.table], ["chain", e.chain], ["rule", `#${n} (handle 0x${e.rule.handle.toString(16)})`], ["from", `${e.rule.origin.file}:${e.rule.origin.line}`], ["the rule", `-A ${e.rule.chain} ${e.rule.text}`], ["result", verdict]];
        return { text: [`${e.table} ${e.chain} rule #${n} (handle 0x${e.rule.handle.toString(16)}, from ${e.rule.origin.file}:${e.rule.origin.line})`, `  -A ${e.rule.chain} ${e.rule.text}`, `  ${verdict}`].join("\n"), display: [{ kind: "table", title: "the rule under the cursor", columns: ["", ""], rows }] };
      }
      case "path":
        return { text: showPath(s), display: s.stepper ? [{ kind: "diagram", scene: sessionScene(s) }] : undefined };
      case "chain": {
        const c = findChain(s, args[1], args[2]);
        const t = args[1]!.text as TableName;
        const save = [`:${c.name} ${c.builtin ? c.policy : "-"} [0:0]`, ...c.rules.map((r) => `-A ${c.name} ${r.text}`)];
        const listed = listChainLikeIptables(s.engine.ruleset, t, c.name, { verbose: true, lineNumbers: true, counters: s.countersAtCursor() });
        return { text: [`# iptables -t ${t} -L ${c.name} -n -v --line-numbers`, ...listed, "", `# iptables-save form (-t ${t})`, ...save].join("\n"), display: [chainTable(s, t, c.name)!] };
      }
      case "conntrack": {
        // stepping: the table as it is at the cursor — the current packet's entry as it was
        // then, or not yet there if it is still unconfirmed
        // conntrack -L lists live entries only: one whose timeout ran out is gone (the next
        // packet of its flow starts a new connection)
        let es = s.engine.conntrack.entries.filter((e) => !entryExpired(e, s.engine.now));
        const st = s.stepper;
        let note = "";
        if (st && !st.done) {
          const p = st.position();
          const mine = st.sent.result.ct?.entry;
          const atCursor = p.ct?.entry;
          es = es.flatMap((e) => (e !== mine ? [e] : atCursor && atCursor.status & CT_STATUS.CONFIRMED ? [atCursor] : []));
          if (mine && !(atCursor && atCursor.status & CT_STATUS.CONFIRMED)) note = "(this packet's new connection is not in the table yet: conntrack confirms it when the packet leaves)";
        }
        const windows = args[1]?.text === "window";
        if (args[1] && !windows) throw new CommandError(`unexpected "${args[1].text}"`, args[1].col, "show conntrack, or show conntrack window for TCP's window tracking");
        const display: Display[] = [conntrackDisplay(es, s.engine.now, note)];
        if (!es.length) return { text: ["conntrack table is empty", note].filter(Boolean).join("\n"), display };
        if (windows) {
          const rows = es.flatMap((e) => (e.tcp ? (["original", "reply"] as const).map((d, i) => [`#${e.id} ${e.protoState}`, d, formatTcpSide(e.tcp!.seen[i]!)]) : []));
          display.push({ kind: "table", title: "TCP window tracking: each direction's data may reach its td_maxend; its ACKs may not pass the other side's td_end", columns: ["entry", "direction", "window state"], rows });
        }
        const lines = es.flatMap((e) => [formatCtEntry(e, s.engine.now), ...(windows ? formatTcpWindows(e) : [])]);
        return { text: [...lines, `conntrack v1.4.7 (conntrack-tools): ${es.length} flow entries have been shown.`, note].filter(Boolean).join("\n"), display };
      }
      case "interfaces":
        return {
          text: s.engine.node.interfaces
            .map((i) => `${i.index}: ${i.name}: mtu ${i.mtu} ${i.up ? "UP" : "DOWN"} link ${i.mac}${i.addrs.map((a) => `\n    inet ${formatIp(a.ip)}/${a.prefix} scope ${a.scope}`).join("")}`)
            .join("\n"),
          display: [interfacesTable(s)],
        };
      case "routes":
        return {
          text: s.engine.node.routes
            .map((r) => {
              const parts = [r.type !== "unicast" ? r.type : "", r.dst.prefix === 0 ? "default" : formatCidr(r.dst).replace(/\/32$/, "")];
              if (r.via !== undefined) parts.push(`via ${formatIp(r.via)}`);
              if (r.dev) parts.push(`dev ${r.dev}`);
              if (r.table !== 254) parts.push(`table ${tableName(r.table)}`);
              if (r.proto) parts.push(`proto ${r.proto}`);
              if (r.scope !== "universe") parts.push(`scope ${r.scope}`);
              if (r.src !== undefined) parts.push(`src ${formatIp(r.src)}`);
              if (r.metric) parts.push(`metric ${r.metric}`);
              if (r.onlink) parts.push("onlink");
              return parts.filter(Boolean).join(" ");
            })
            .join("\n"),
          display: [routesTable(s)],
        };
      case "rules": {
        const rules = s.engine.node.rules.length ? s.engine.node.rules : DEFAULT_POLICY_RULES;
        const rows = rules.map((r) => [String(r.priority), r.from ? formatCidr(r.from) : "all", r.fwmark !== undefined ? `0x${r.fwmark.toString(16)}` : "", tableName(r.table ?? 254)]);
        return {
          text: rows.map(([prio, from, mark, table]) => `${prio}:\tfrom ${from}${mark ? ` fwmark ${mark}` : ""} lookup ${table}`).join("\n"),
          display: [{ kind: "table", title: "routing policy rules (ip rule)", columns: ["priority", "from", "fwmark", "lookup table"], rows }],
        };
      }
      case "sets": {
        const sets = [...s.engine.node.ipsets.values()];
        const rows = sets.map((set) => [set.name, set.header, String(set.members.length), set.members.slice(0, 8).map((m) => m.text + (m.nomatch ? " nomatch" : "")).join(", ") + (set.members.length > 8 ? ", …" : "")]);
        return { text: saveIpsets(s.engine.node.ipsets) || "no ipsets", display: sets.length ? [{ kind: "table", title: "ipsets (ipset save shows them all)", columns: ["name", "type and options", "members", "first members"], rows }] : undefined };
      }
      case "trace":
        return { text: formatXtablesMonitor(s.traceEvents, s.dialect).join("\n") || "no traced packets yet (only packets that hit a TRACE rule are traced)" };
      case "source": {
        const rows = [["loaded", s.source.title], ["kind", s.source.kind], ...s.source.notes.map((n) => ["note", n])];
        return { text: `${s.source.title}\nkind: ${s.source.kind}${s.source.notes.length ? "\n" + s.source.notes.join("\n") : ""}`, display: [{ kind: "table", title: "what is loaded", columns: ["", ""], rows }] };
      }
      default: {
        const hint = didYouMean(what.text, SHOW_WHAT);
        throw new CommandError(`cannot show "${what.text}"`, what.col, hint ? `did you mean show ${hint}?` : `show ${SHOW_WHAT.join("|")}`);
      }
    }
  },
  complete(s, args, partial) {
    if (args.length === 0) return prefixFilter(SHOW_WHAT, partial);
    if (args[0]!.text === "chain") return args.length === 1 ? completeTable(s, partial) : args.length === 2 ? completeChain(s, args[1]!.text, partial) : [];
    if (args[0]!.text === "conntrack" && args.length === 1) return prefixFilter(["window"], partial);
    return [];
  },
};

export const trace: Command = {
  name: "trace",
  maxArgs: 0,
  usage: "trace",
  summary: "the xtables-monitor --trace lines of everything sent so far (only traced packets appear)",
  examples: ["trace"],
  run: (s) => show.run(s, [{ text: "trace", col: 6 }]),
};

