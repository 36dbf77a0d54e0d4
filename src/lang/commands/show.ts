/**
 * Commands that look without moving anything: show ..., route get, save, trace.
 *
 * Why: between packets a learner inspects the node — a chain as `iptables -L` would list it, the
 * conntrack table as `conntrack -L` prints it, a route as `ip route get` answers it.
 */
import type { Command } from "../command.js";
import type { Session } from "../session.js";
import { CommandError, type Word } from "../words.js";
import { didYouMean, ParseError, RuleError } from "../../engine/parse/errors.js";
import { TABLE_NAMES, type Chain, type TableName } from "../../engine/model/ruleset.js";
import { formatCidr, formatIp, parseIp } from "../../engine/model/ipv4.js";
import { saveRuleset } from "../../engine/save/save.js";
import { saveIpsets } from "../../engine/model/ipset.js";
import { CT_STATUS } from "../../engine/conntrack/entry.js";
import { formatCtEntry } from "../../format/conntrack-line.js";
import { routeLookup } from "../../engine/route/lookup.js";
import { describeRoute } from "../../format/route-line.js";
import { tableName } from "../../engine/model/node.js";
import { formatXtablesMonitor } from "../../format/xtables-monitor.js";
import { annotateCapture } from "../../format/replay.js";
import { describeCt, describePacket, fateText, stateOfPacket } from "../../format/describe.js";
import { verdictText } from "../../format/verdict.js";
import { listChainLikeIptables } from "../../format/list.js";
import { applyIptables } from "../../engine/parse/iptables-command.js";
import { HOOK_STAGES, PATHS, type Hook } from "../../engine/walk/hooks.js";
import { completeChain, completeInterface, completeTable, prefixFilter, completeAddress } from "../complete.js";
import { chainTable, conntrackDisplay, interfacesTable, routesTable, routeTable, stateDisplay } from "../../format/rich/displays.js";
import { sessionScene } from "./diagram.js";
import type { Display } from "../command.js";
import { captureFile } from "../../sources/scenario.js";
import { readSourceFile, SourceError } from "../../sources/load.js";
import { entryExpired } from "../../engine/conntrack/table.js";

export function findChain(s: Session, tableWord: Word | undefined, chainWord: Word | undefined): Chain {
  if (!tableWord) throw new CommandError("which table?", undefined, "show chain TABLE CHAIN, e.g. show chain nat KUBE-SERVICES");
  const t = tableWord.text as TableName;
  const table = s.engine.ruleset.tables.get(t);
  if (!table) {
    const holders = [...s.engine.ruleset.tables.values()].filter((x) => x.chains.has(tableWord.text)).map((x) => x.name);
    if (holders.length) throw new CommandError(`"${tableWord.text}" is a chain; which table?`, tableWord.col, holders.map((h) => `show chain ${h} ${tableWord.text}`).join(" or "));
    const hint = didYouMean(tableWord.text, TABLE_NAMES);
    throw new CommandError(`no table ${tableWord.text} in this ruleset`, tableWord.col, hint ? `did you mean ${hint}?` : `tables: ${[...s.engine.ruleset.tables.keys()].join(", ")}`);
  }
  if (!chainWord) throw new CommandError("which chain?", undefined, `chains of ${t}: ${table.order.slice(0, 8).join(", ")}${table.order.length > 8 ? ", ..." : ""}`);
  const c = table.chains.get(chainWord.text);
  if (!c) {
    const prefixed = [...table.chains.keys()].filter((n) => n.startsWith(chainWord.text));
    const hint = prefixed.length === 1 ? prefixed[0] : didYouMean(chainWord.text, table.chains.keys());
    throw new CommandError(`unknown chain ${chainWord.text} in ${t}`, chainWord.col, hint ? `did you mean ${hint}?` : undefined);
  }
  return c;
}

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
  usage: "show state|rule|path|chain TABLE CHAIN|conntrack|interfaces|routes|rules|sets|trace|source",
  summary: "look at the packet, a chain, the conntrack table, the node",
  examples: ["show state", "show chain nat KUBE-SVC-Y4T5L63IYP3YFEBS", "show conntrack", "show routes"],
  run(s, args) {
    const what = args[0];
    if (!what) throw new CommandError("show what?", undefined, `show ${SHOW_WHAT.join("|")}`);
    // only `show chain [TABLE] CHAIN` takes more words; no word is ignored
    const most = what.text === "chain" ? 3 : 1;
    if (args.length > most) throw new CommandError(`show ${what.text} takes ${most === 1 ? "no more words" : "at most a table and a chain"}: "${args[most]!.text}" is one too many`, args[most]!.col);
    switch (what.text) {
      case "state": {
        const st = s.stepper;
        if (!st) return { text: "no packet yet — try: send tcp 192.168.1.88:49058 -> 10.43.156.98:9898" };
        const p = st.position();
        const at = st.pos < 0 ? "before the first step" : st.done ? `at its fate: ${fateText(st.sent.result.fate)}` : [p.hook, p.table, p.chain, p.ruleIndex ? `rule #${p.ruleIndex}` : ""].filter(Boolean).join(" ▸ ");
        const lines = [`where: ${at}`, `packet: ${describePacket(p.pkt)}`, `in: ${p.pkt.iif ?? "(locally generated)"}  out: ${p.outIf ?? "(not routed yet)"}`, `conntrack: ${describeCt(p.ct)}`, "state of the packet:"];
        lines.push(...stateOfPacket(p.pkt, p.outIf).map((l) => "  " + l));
        if (p.ct?.entry) lines.push(`entry: ${formatCtEntry(p.ct.entry, s.engine.now)}`);
        return { text: lines.join("\n"), display: [stateDisplay(s)!] };
      }
      case "rule": {
        const e = s.stepper?.position().event;
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
        const listed = listChainLikeIptables(s.engine.ruleset, t, c.name, { verbose: true, lineNumbers: true, counters: s.counters });
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
        const display: Display[] = [conntrackDisplay(es, s.engine.now, note)];
        if (!es.length) return { text: ["conntrack table is empty", note].filter(Boolean).join("\n"), display };
        return { text: [...es.map((e) => formatCtEntry(e, s.engine.now)), `conntrack v1.4.7 (conntrack-tools): ${es.length} flow entries have been shown.`, note].filter(Boolean).join("\n"), display };
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
      case "rules":
        return { text: (s.engine.node.rules.length ? s.engine.node.rules : []).map((r) => `${r.priority}:\tfrom ${r.from ? formatCidr(r.from) : "all"}${r.fwmark !== undefined ? ` fwmark 0x${r.fwmark.toString(16)}` : ""} lookup ${tableName(r.table ?? 254)}`).join("\n") || "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default" };
      case "sets":
        return { text: saveIpsets(s.engine.node.ipsets) || "no ipsets" };
      case "trace":
        return { text: formatXtablesMonitor(s.traceEvents, s.dialect).join("\n") || "no traced packets yet (only packets that hit a TRACE rule are traced)" };
      case "source":
        return { text: `${s.source.title}\nkind: ${s.source.kind}${s.source.notes.length ? "\n" + s.source.notes.join("\n") : ""}` };
      default: {
        const hint = didYouMean(what.text, SHOW_WHAT);
        throw new CommandError(`cannot show "${what.text}"`, what.col, hint ? `did you mean show ${hint}?` : `show ${SHOW_WHAT.join("|")}`);
      }
    }
  },
  complete(s, args, partial) {
    if (args.length === 0) return prefixFilter(SHOW_WHAT, partial);
    if (args[0]!.text === "chain") return args.length === 1 ? completeTable(s, partial) : args.length === 2 ? completeChain(s, args[1]!.text, partial) : [];
    return [];
  },
};

export const route: Command = {
  name: "route",
  usage: "route get DST [from SRC] [iif IFACE] [mark M]",
  summary: "the routing decision, as `ip route get` answers it",
  examples: ["route get 10.42.54.194", "route get 192.168.1.88 from 192.168.1.20 iif enp3s0"],
  run(s, args) {
    if (args[0]?.text !== "get") throw new CommandError(`expected "route get DST"`, args[0]?.col ?? 1);
    const dst = args[1] && parseIp(args[1].text);
    if (dst === undefined) throw new CommandError(`bad destination "${args[1]?.text ?? ""}"`, args[1]?.col);
    const q: { dst: number; src?: number; iif?: string; mark: number } = { dst, mark: 0 };
    for (let i = 2; i < args.length; i += 2) {
      const k = args[i]!;
      const v = args[i + 1];
      if (!v) throw new CommandError(`"${k.text}" needs a value`, k.col);
      if (k.text === "from") {
        const ip = parseIp(v.text);
        if (ip === undefined) throw new CommandError(`bad address "${v.text}"`, v.col);
        q.src = ip;
      } else if (k.text === "iif") q.iif = v.text;
      else if (k.text === "mark") q.mark = Number(v.text);
      else throw new CommandError(`unknown option "${k.text}"`, k.col, "from SRC, iif IFACE, mark M");
    }
    const result = routeLookup(s.engine.node, q);
    const text = describeRoute(q, result);
    return { text, display: [routeTable(q, result, text)] };
  },
  complete: (s, args, partial) => (args.length === 0 ? ["get"] : args.length === 1 ? completeAddress(s, partial) : args[args.length - 1]?.text === "iif" ? completeInterface(s, partial) : ["from", "iif", "mark"]),
};

export const iptables: Command = {
  name: "iptables",
  usage: "iptables [-t TABLE] -A|-I|-D CHAIN RULE... | -N|-X|-F CHAIN | -P CHAIN POLICY | -L [CHAIN] [-v] | -S [CHAIN]",
  summary: "change or list the loaded ruleset as the iptables command would (the kernel's checks apply)",
  examples: ["iptables -t raw -A OUTPUT -p tcp --dport 9898 -j TRACE", "iptables -t nat -L KUBE-SERVICES -v", "iptables -t raw -D OUTPUT 3"],
  details: "New rules take the next handle of their table, as the kernel numbers them; conntrack state is kept, as on a live node.",
  run(s, args) {
    let r: ReturnType<typeof applyIptables>;
    try {
      r = applyIptables(s.engine.ruleset, args.map((a) => ({ text: a.text, column: a.col, quoted: false })));
    } catch (e) {
      // errors point into the typed line, not a file
      if (e instanceof ParseError) throw new CommandError(e.detail, e.column);
      if (e instanceof RuleError) throw new CommandError(e.detail);
      throw e;
    }
    s.rulesChanged();
    if (r.list) {
      const lines = r.list.chains.flatMap((c, i) => [...(i ? [""] : []), ...listChainLikeIptables(s.engine.ruleset, r.list!.table, c, { verbose: r.list!.verbose, exact: r.list!.exact, lineNumbers: r.list!.lineNumbers, counters: s.counters })]);
      return { text: lines.join("\n"), display: r.list.chains.flatMap((c) => chainTable(s, r.list!.table, c) ?? []) };
    }
    return { text: r.text };
  },
  complete(s, args, partial) {
    const prev = args[args.length - 1]?.text;
    if (prev === "-t") return completeTable(s, partial);
    const t = args.find((_, i) => args[i - 1]?.text === "-t")?.text;
    if (prev && /^-[AIDLSFXP]$/.test(prev)) return completeChain(s, t ?? "filter", partial);
    return args.length === 0 ? ["-t"] : [];
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

export const replay: Command = {
  name: "replay",
  maxArgs: 1,
  usage: "replay FILE | replay article",
  summary: "read a real xtables-monitor --trace capture against the loaded ruleset, line by line",
  examples: ["replay article", "replay ./trace.txt"],
  details: "`replay article` reads the article's own capture, shipped with ktrace; any other word with a slash or a dot is a file (capture one with xtables-monitor --trace > trace.txt).",
  run(s, args) {
    const f = args[0];
    if (!f) throw new CommandError("replay needs a capture file", undefined, "replay article, or capture one with: xtables-monitor --trace > trace.txt");
    if (args.length > 1) throw new CommandError(`replay takes one file, not "${args[1]!.text}"`, args[1]!.col);
    let text: string;
    try {
      const { path, shown } = captureFile(f.text);
      text = readSourceFile(s.io, path, shown);
    } catch (e) {
      if (e instanceof SourceError) throw new CommandError(e.message, f.col);
      throw e;
    }
    const lines = annotateCapture(text, s.engine.ruleset);
    if (!lines.some((l) => /^(PACKET| ?TRACE):/.test(l.text))) throw new CommandError(`${f.text} has no xtables-monitor trace lines`, f.col);
    return { text: lines.map((l) => `${String(l.line).padStart(4)}  ${l.text}\n${l.notes.map((n) => `      ↳ ${n}`).join("\n")}`).join("\n") };
  },
};

export const save: Command = {
  name: "save",
  maxArgs: 1,
  usage: "save [ipsets]",
  summary: "the loaded ruleset as iptables-save prints it (or the ipsets as ipset save does)",
  examples: ["save"],
  run(s, args) {
    if (args[0]?.text === "ipsets") return { text: saveIpsets(s.engine.node.ipsets).replace(/\n$/, "") };
    return { text: saveRuleset(s.engine.ruleset).replace(/\n$/, "") };
  },
};

export const explain: Command = {
  name: "explain",
  maxArgs: 2,
  usage: "explain chain NAME",
  summary: "what a chain is: a KUBE-* chain's Service and endpoint, kube-proxy's fixed chains, a Calico chain",
  examples: ["explain chain KUBE-SVC-Y4T5L63IYP3YFEBS", "explain chain KUBE-SEP-OYNVDBAPYJ623W6H"],
  run(s, args) {
    if (args[0]?.text !== "chain" || !args[1]) throw new CommandError(`expected "explain chain NAME"`, args[0]?.col ?? 1);
    const name = args[1].text;
    const where = [...s.engine.ruleset.tables.values()].filter((t) => t.chains.has(name)).map((t) => {
      const n = t.chains.get(name)!.rules.length;
      return `${t.name} (${n} rule${n === 1 ? "" : "s"})`;
    });
    if (!where.length) {
      const all = completeChain(s, undefined, "");
      const starts = all.filter((n) => n.startsWith(name));
      const hint = starts.length === 1 ? starts[0] : didYouMean(name, all);
      throw new CommandError(`unknown chain ${name}`, args[1].col, hint ? `did you mean ${hint}?` : undefined);
    }
    const meaning = s.names.decode(name) ?? describeCaliChain(name) ?? `${name} is not a chain ktrace can name (no kube-proxy comment or hash points to it)`;
    return { text: `${meaning}\nin: ${where.join(", ")}` };
  },
  complete: (s, args, partial) => (args.length === 0 ? ["chain"] : completeChain(s, undefined, partial)),
};

/** Calico's chain families by their prefixes (felix names them this way). */
function describeCaliChain(name: string): string | undefined {
  const fixed: Record<string, string> = {
    "cali-PREROUTING": "Calico's PREROUTING entry chain",
    "cali-INPUT": "Calico's INPUT entry chain: traffic to the host, from workloads or host endpoints",
    "cali-OUTPUT": "Calico's OUTPUT entry chain: traffic the host sends",
    "cali-FORWARD": "Calico's FORWARD entry chain: workload-to-workload and routed traffic",
    "cali-POSTROUTING": "Calico's POSTROUTING entry chain (SNAT for floating IPs and natOutgoing pools)",
    "cali-nat-outgoing": "Calico's natOutgoing: masquerades pod traffic leaving the IP pools",
    "cali-fip-dnat": "Calico's floating-IP DNAT chain",
    "cali-fip-snat": "Calico's floating-IP SNAT chain",
    "cali-to-host-endpoint": "Calico's host endpoint policy, egress",
    "cali-from-host-endpoint": "Calico's host endpoint policy, ingress",
    "cali-wl-to-host": "Calico's policy for workload traffic to the host",
    "cali-from-wl-dispatch": "Calico's dispatch of traffic from workload interfaces",
    "cali-to-wl-dispatch": "Calico's dispatch of traffic to workload interfaces",
    "cali-rpf-skip": "Calico's exceptions to its reverse-path check",
  };
  if (fixed[name]) return `${name} = ${fixed[name]}`;
  if (name.startsWith("cali-fw-")) return `${name} = Calico's policy chain for traffic from workload interface ${name.slice(8)}`;
  if (name.startsWith("cali-tw-")) return `${name} = Calico's policy chain for traffic to workload interface ${name.slice(8)}`;
  if (name.startsWith("cali-")) return `${name} = a Calico (felix) chain`;
  return undefined;
}
