/**
 * Explain mode: every rule the packet was tested against, why the ones that missed missed,
 * which steps the kernel trace would hide, NAT rewrites, routing, conntrack and the fate.
 *
 * Why: xtables-monitor shows only what matched after TRACE; a learner needs the rest — the
 * MARK rule in raw cali-OUTPUT that the article could not see, the 40 KUBE-SERVICES rules that
 * did not match, and where the packet finally went.
 */
import type { TraceEvent } from "../engine/trace/events.js";
import { verdictText } from "./verdict.js";
import { describeRoute } from "./route-line.js";
import { formatIp } from "../engine/model/ipv4.js";
import { formatCtEntry } from "./conntrack-line.js";
import { describeCt, describePacket, fateText, stateOfPacket } from "./describe.js";
import type { Ruleset } from "../engine/model/ruleset.js";

export interface ExplainOptions {
  /** Where the reader already is (stepping): headers for this hook/table are not repeated. */
  from?: { hook?: string; table?: string };
  now?: number;
  ruleset?: Ruleset;
  /** Names for KUBE-* chains ("KUBE-SVC-… = Service ns/name port p (tcp)"), shown on jumps into them. */
  decode?: (chain: string) => string | undefined;
  /** Does the ruleset trace at all (a TRACE rule)? If not, nothing is marked "hidden". */
  tracing?: boolean;
}

function ruleNumber(rs: Ruleset | undefined, table: string, chain: string, handle: number): string {
  const c = rs?.tables.get(table as never)?.chains.get(chain);
  const i = c ? c.rules.findIndex((r) => r.handle === handle) : -1;
  return i >= 0 ? `#${i + 1}` : `0x${handle.toString(16)}`;
}

export function formatExplain(events: TraceEvent[], opts: ExplainOptions = {}): string[] {
  const out: string[] = [];
  let hook = opts.from?.hook ?? "";
  let table = opts.from?.table ?? "";
  const pad = (depth: number) => "    " + "  ".repeat(depth);
  for (const e of events) {
    switch (e.kind) {
      case "route": {
        const q = e.query;
        const what = e.why === "reroute" ? "reroute (destination/mark changed)" : e.why === "input" ? "routing decision" : "route";
        const extra = q.iif ? ` from ${formatIp(q.src ?? 0)} iif ${q.iif}` : q.src ? ` from ${formatIp(q.src)}` : "";
        out.push(`  ${what}: ip route get ${formatIp(q.dst)}${extra}${q.mark ? ` mark 0x${q.mark.toString(16)}` : ""} → ${describeRoute(q, e.result)}`);
        break;
      }
      case "ttl":
        out.push(`  forward: TTL ${e.from} → ${e.to}`);
        break;
      case "conntrack":
        out.push(`  ${e.hook} conntrack: ${e.created ? "new connection, " : ""}${describeCt(e.view)}`);
        break;
      case "nat-skip":
        out.push(`  ${e.hook} nat: skipped — ${e.reason}`);
        break;
      case "nat":
        // a reply's destination rewrite undoes the connection's SNAT, its source rewrite the DNAT
        const what = e.dir === "REPLY" ? (e.manip === "DST" ? "un-SNAT (reply, from conntrack)" : "un-DNAT (reply, from conntrack)") : `${e.manip === "DST" ? "DNAT" : "SNAT"} ${e.how === "rule" ? "(new binding)" : "(from conntrack)"}`;
        out.push(`  ${e.hook} ${what}: ${describePacket(e.from)} ⇒ ${describePacket(e.to)}`);
        break;
      case "confirm":
        out.push(`  ${e.hook} conntrack confirmed: ${formatCtEntry(e.entry, opts.now ?? e.entry.updated)}`);
        break;
      case "packet":
        break;
      case "rule":
      case "nomatch":
      case "return":
      case "policy": {
        if (e.hook !== hook || e.table !== table) {
          if (e.hook !== hook) out.push(`${e.hook}`);
          hook = e.hook;
          table = e.table;
          out.push(`  ${e.table} ${e.hook}${e.traced || opts.tracing === false ? "" : "   (not traced: no TRACE yet, xtables-monitor shows nothing here)"}`);
        }
        if (e.kind === "nomatch") {
          out.push(`${pad(e.depth)}${e.chain} ${ruleNumber(opts.ruleset, e.table, e.chain, e.rule.handle)}  ✗ ${e.fail.clause} — ${e.fail.why}`);
        } else if (e.kind === "rule") {
          const hidden = !e.traced && opts.tracing !== false ? "   [hidden from the kernel trace]" : "";
          out.push(`${pad(e.depth)}${e.chain} ${ruleNumber(opts.ruleset, e.table, e.chain, e.rule.handle)}  ✓ ${verdictText(e.verdict)}  -A ${e.chain} ${e.rule.text}${hidden}`);
          const v = e.verdict;
          const meaning = (v.kind === "JUMP" || v.kind === "GOTO") && /^KUBE-(SVC|SVL|EXT|FW|SEP)-/.test(v.chain) ? opts.decode?.(v.chain) : undefined;
          if (meaning) out.push(`${pad(e.depth)}  ⟶ ${meaning}`);
        } else if (e.kind === "return") {
          if (e.depth > 0) out.push(`${pad(e.depth)}${e.chain}: end of chain, return`);
        } else out.push(`${pad(0)}policy ${e.policy}`);
        break;
      }
      case "table-done":
        out.push(`    → state after ${e.table} ${e.hook}: ${stateOfPacket(e.pkt, e.outIf).join(", ")}`);
        break;
      case "spawned": {
        out.push(`    ↳ ${e.reason} sends ${describePacket(e.pkt)}:`);
        const inner = formatExplain(e.events, { ...opts, from: undefined });
        out.push(...inner.map((l) => `      │ ${l}`));
        break;
      }
      case "suppressed":
        out.push(`    ↳ ${e.reason} would send ${describePacket(e.pkt)}, but it is not sent: ${e.why}`);
        break;
      case "log":
        out.push(`    ${e.target}: ${e.text}`);
        break;
      case "fate": {
        const f = e.fate;
        const as = f.kind === "sent" || f.kind === "delivered" ? ` as ${describePacket(e.pkt)}` : "";
        out.push(`FATE: ${fateText(f)}${as}`);
        break;
      }
    }
  }
  return out;
}
