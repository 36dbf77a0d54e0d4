/**
 * A packet's walk as an HTML table: for every rule it was tested against the hook, table, chain,
 * rule number, the rule, ✓ or ✗ with the clause that failed; the rules the kernel trace hides
 * (before TRACE) shaded; NAT rewrites, routing decisions and conntrack between the tables; the fate.
 *
 * Why: explain mode's text, laid out so a notebook reader can scan it — the columns line up, the
 * 40 KUBE-SERVICES misses read as one grey block, the DNAT stands out. Built from the walk's
 * events (never from the text), every string from a rule escaped.
 */
import type { WalkDisplay } from "../../lang/command.js";
import { ruleKey } from "../../lang/command.js";
import { foldedRun, missRunLine, missesLine, missesRange, runRange } from "../misses.js";
import type { TraceEvent } from "../../engine/trace/events.js";
import { verdictText } from "../verdict.js";
import { routeEventText } from "../route-line.js";
import { Sections, isChainEvent } from "../sections.js";
import { formatCtEntry } from "../conntrack-line.js";
import { describeCt, describePacket, fateText, natEventText } from "../describe.js";
import { esc } from "./escape.js";
import { S } from "./html-style.js";

const COLUMNS = ["hook", "table", "chain", "rule", "", "the rule / what happened"];

/** A row spanning the table: a NAT, a routing decision, conntrack, the fate. */
function wide(text: string, style: string, cls: string): string {
  return `<tr class="${cls}"><td colspan="${COLUMNS.length}" style="${S.td};${style}">${esc(text)}</td></tr>`;
}

function walkRows(w: WalkDisplay, events: TraceEvent[], rows: string[]) {
  const at = new Sections();
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (isChainEvent(e)) {
      if (at.opens(e)) {
        const untraced = !e.traced && w.tracing;
        rows.push(`<tr class="ktrace-section"><td colspan="${COLUMNS.length}" style="${S.section}">${esc(`${e.hook} · ${e.table}`)}${untraced ? `<span style="${S.badge}">not traced yet: xtables-monitor shows nothing here</span>` : ""}</td></tr>`);
      }
      const hidden = !e.traced && w.tracing && e.kind !== "return";
      const indent = "&nbsp;&nbsp;".repeat(e.depth);
      const cells = (num: string, mark: string, body: string, cls: string, style: string) =>
        rows.push(
          `<tr class="${cls}${hidden ? " ktrace-hidden" : ""}" style="${style}${hidden ? `;${S.hidden}` : ""}">` +
            `<td style="${S.td}">${esc(e.hook)}</td><td style="${S.td}">${esc(e.table)}</td>` +
            `<td style="${S.td};white-space:nowrap">${indent}${esc(e.chain)}</td><td style="${S.td}">${num}</td>` +
            `<td style="${S.td};font-weight:bold">${mark}</td><td style="${S.td};${S.code}">${body}</td></tr>`,
        );
      if (e.kind === "rule") {
        const n = w.ruleNumbers[ruleKey(e.rule.table, e.rule.chain, e.rule.handle)];
        const v = e.verdict;
        const meaning = v.kind === "JUMP" || v.kind === "GOTO" ? w.meanings[v.chain] : undefined;
        const body =
          `<code>${esc(`-A ${e.rule.chain} ${e.rule.text}`)}</code> → <b>${esc(verdictText(v) === "0xfffffffb" ? "RETURN" : verdictText(v))}</b>` +
          (hidden ? `<span style="${S.badge}">hidden from the kernel trace (before TRACE)</span>` : "") +
          (meaning ? `<div style="${S.note}">⟶ ${esc(meaning)}</div>` : "");
        cells(n ? `#${n}` : "", "✓", body, "ktrace-rule ktrace-matched", S.matched);
      } else if (e.kind === "misses") {
        cells(esc(missesRange(e)), "✗", `${esc(missesLine(e).replace(/^✗ /, ""))}`, "ktrace-rule ktrace-missed ktrace-folded", S.missed);
      } else if (e.kind === "nomatch") {
        const run = foldedRun(events, i);
        if (run) {
          cells(esc(runRange(run, (m) => w.ruleNumbers[ruleKey(m.rule.table, m.rule.chain, m.rule.handle)])), "✗", esc(missRunLine(run).replace(/^✗ /, "")), "ktrace-rule ktrace-missed ktrace-folded", S.missed);
          i += run.length - 1;
        } else {
          const n = w.ruleNumbers[ruleKey(e.rule.table, e.rule.chain, e.rule.handle)];
          const body = `<code>${esc(`-A ${e.rule.chain} ${e.rule.text}`)}</code><div style="${S.note}">✗ <code>${esc(e.fail.clause)}</code> — ${esc(e.fail.why)}</div>`;
          cells(n ? `#${n}` : "", "✗", body, "ktrace-rule ktrace-missed", S.missed);
        }
      } else if (e.kind === "return") {
        if (e.depth > 0) cells("", "↩", esc(`end of ${e.chain}: back to the calling chain`), "ktrace-return", S.missed);
      } else cells("", e.policy === "ACCEPT" ? "✓" : "✗", esc(`policy ${e.policy} (end of the base chain)`), "ktrace-policy", e.policy === "ACCEPT" ? S.matched : "color:#9b2c2c");
      continue;
    }
    switch (e.kind) {
      case "nat":
        rows.push(wide(natEventText(e), S.nat, "ktrace-nat"));
        break;
      case "route":
        rows.push(wide(routeEventText(e.why, e.query, e.result), S.route, e.why === "reroute" ? "ktrace-route ktrace-reroute" : "ktrace-route"));
        break;
      case "conntrack":
        rows.push(wide(`${e.hook} conntrack: ${e.created ? "new connection, " : ""}${describeCt(e.view)}`, S.ct, "ktrace-ct"));
        break;
      case "confirm":
        rows.push(wide(`${e.hook} conntrack confirmed: ${formatCtEntry(e.entry, w.now)}`, S.ct, "ktrace-ct"));
        break;
      case "nat-skip":
        rows.push(wide(`${e.hook} nat: skipped — ${e.reason}`, S.missed, "ktrace-nat-skip"));
        break;
      case "ttl":
        rows.push(wide(`forward: TTL ${e.from} → ${e.to}`, S.missed, "ktrace-ttl"));
        break;
      case "log":
        rows.push(wide(`${e.target}: ${e.text}`, S.missed, "ktrace-log"));
        break;
      case "suppressed":
        rows.push(wide(`↳ ${e.reason} would send ${describePacket(e.pkt)}, but it is not sent: ${e.why}`, S.missed, "ktrace-suppressed"));
        break;
      case "spawned":
        rows.push(wide(`↳ ${e.reason} sends ${describePacket(e.pkt)} — its own walk:`, S.route, "ktrace-spawned"));
        walkRows(w, e.events, rows);
        at.reset();
        break;
      case "fate": {
        const f = e.fate;
        const ok = f.kind === "sent" || f.kind === "delivered";
        const as = ok ? ` as ${describePacket(e.pkt)}` : "";
        rows.push(wide(`${ok ? "✓" : "✗"} FATE: ${fateText(f)}${as}`, ok ? S.fateOk : S.fateBad, "ktrace-fate"));
        at.reset(); // a next packet (connect) starts its own sections
        break;
      }
      case "packet":
      case "table-done":
        break;
    }
  }
}

const said = (lines: string[] | undefined) => (lines ?? []).map((l) => `<div class="ktrace-said" style="${S.note}">${esc(l)}</div>`).join("");

export function walkHtml(w: WalkDisplay): string {
  const rows: string[] = [];
  walkRows(w, w.events, rows);
  if (!rows.length) return said(w.before) + said(w.after);
  const head = `<tr>${COLUMNS.map((c) => `<th style="${S.th}">${esc(c)}</th>`).join("")}</tr>`;
  return `${said(w.before)}<table class="ktrace-walk" style="${S.table}"><caption style="${S.caption}">${esc(describePacket(w.input))}${w.input.iif ? esc(` — arriving on ${w.input.iif}`) : " — generated on the node"}</caption><thead>${head}</thead><tbody>${rows.join("")}</tbody></table>${said(w.after)}`;
}
