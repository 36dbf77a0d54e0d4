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
import { foldedRun, missRunLine, missesLine, missesRange, runRange } from "./misses.js";
import { routeEventText } from "./route-line.js";
import { Sections, isChainEvent } from "./sections.js";
import { formatCtEntry } from "./conntrack-line.js";
import { describeCt, describePacket, fateText, natEventText, stateOfPacket } from "./describe.js";
import { ruleKey, type WalkDisplay } from "../lang/command.js";

/**
 * What a line of the explanation is, so a front end can colour it from data (the REPL) without
 * matching the text: a hook or table heading, a rule that matched or missed, a NAT rewrite...
 */
export type ExplainTone = "hook" | "table" | "match" | "hidden" | "jump-meaning" | "miss" | "return" | "policy" | "nat" | "route" | "conntrack" | "state" | "spawned" | "log" | "fate-ok" | "fate-bad" | "cursor";

export interface ExplainLine {
  text: string;
  tone: ExplainTone;
}

export interface ExplainOptions {
  /** Where the reader already is (stepping): headers for this hook/table are not repeated. */
  from?: { hook?: string; table?: string };
  now?: number;
  /** Names for KUBE-* chains ("KUBE-SVC-… = Service ns/name port p (tcp)"), shown on jumps into them. */
  decode?: (chain: string) => string | undefined;
  /** Does the ruleset trace at all (a TRACE rule)? If not, nothing is marked "hidden". */
  tracing?: boolean;
  /** A rule's 1-based position in its chain (RuleNumbers, or a walk display's numbers). */
  numberOf?: (table: string, chain: string, handle: number) => number | undefined;
}

function ruleNumber(opts: ExplainOptions, table: string, chain: string, handle: number): string {
  const n = opts.numberOf?.(table, chain, handle);
  return n !== undefined ? `#${n}` : `0x${handle.toString(16)}`;
}

/** The explanation, each line with what it is. */
export function explainLines(events: TraceEvent[], opts: ExplainOptions = {}): ExplainLine[] {
  const out: ExplainLine[] = [];
  const say = (tone: ExplainTone, text: string) => out.push({ text, tone });
  const at = new Sections(opts.from?.hook ?? "", opts.from?.table ?? "");
  const pad = (depth: number) => "    " + "  ".repeat(depth);
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (isChainEvent(e)) {
      const hookBefore = at.hook;
      if (at.opens(e)) {
        if (e.hook !== hookBefore) say("hook", `${e.hook}`);
        say("table", `  ${e.table} ${e.hook}${e.traced || opts.tracing === false ? "" : "   (not traced: no TRACE yet, xtables-monitor shows nothing here)"}`);
      }
      if (e.kind === "misses") {
        say("miss", `${pad(e.depth)}${e.chain} ${missesRange(e)}  ${missesLine(e)}`);
      } else if (e.kind === "nomatch") {
        const run = foldedRun(events, i);
        if (run) {
          say("miss", `${pad(e.depth)}${e.chain} ${runRange(run, (m) => opts.numberOf?.(m.table, m.chain, m.rule.handle))}  ${missRunLine(run)}`);
          i += run.length - 1;
        } else say("miss", `${pad(e.depth)}${e.chain} ${ruleNumber(opts, e.table, e.chain, e.rule.handle)}  ✗ ${e.fail.clause} — ${e.fail.why}`);
      } else if (e.kind === "rule") {
        const hidden = !e.traced && opts.tracing !== false ? "   [hidden from the kernel trace]" : "";
        say(hidden ? "hidden" : "match", `${pad(e.depth)}${e.chain} ${ruleNumber(opts, e.table, e.chain, e.rule.handle)}  ✓ ${verdictText(e.verdict)}  -A ${e.chain} ${e.rule.text}${hidden}`);
        const v = e.verdict;
        const meaning = (v.kind === "JUMP" || v.kind === "GOTO") && /^KUBE-(SVC|SVL|EXT|FW|SEP)-/.test(v.chain) ? opts.decode?.(v.chain) : undefined;
        if (meaning) say("jump-meaning", `${pad(e.depth)}  ⟶ ${meaning}`);
      } else if (e.kind === "return") {
        if (e.depth > 0) say("return", `${pad(e.depth)}${e.chain}: end of chain, return`);
      } else say("policy", `${pad(0)}policy ${e.policy}`);
      continue;
    }
    switch (e.kind) {
      case "route":
        say("route", `  ${routeEventText(e.why, e.query, e.result)}`);
        break;
      case "ttl":
        say("route", `  forward: TTL ${e.from} → ${e.to}`);
        break;
      case "conntrack":
        // conntrack runs before the hook's first table when raw has no chain there: the hook starts here
        if (e.hook !== at.hook) {
          say("hook", e.hook);
          at.reset(e.hook);
        }
        say("conntrack", `  ${e.hook} conntrack: ${e.created ? "new connection, " : ""}${describeCt(e.view)}`);
        break;
      case "nat-skip":
        say("nat", `  ${e.hook} nat: skipped — ${e.reason}`);
        break;
      case "nat":
        say("nat", `  ${natEventText(e)}`);
        break;
      case "confirm":
        say("conntrack", `  ${e.hook} conntrack confirmed: ${formatCtEntry(e.entry, opts.now ?? e.entry.updated)}`);
        break;
      case "packet":
        break;
      case "table-done":
        say("state", `    → state after ${e.table} ${e.hook}: ${stateOfPacket(e.pkt, e.outIf).join(", ")}`);
        break;
      case "spawned": {
        say("spawned", `    ↳ ${e.reason} sends ${describePacket(e.pkt)}:`);
        for (const l of explainLines(e.events, { ...opts, from: undefined })) say(l.tone, `      │ ${l.text}`);
        break;
      }
      case "suppressed":
        say("spawned", `    ↳ ${e.reason} would send ${describePacket(e.pkt)}, but it is not sent: ${e.why}`);
        break;
      case "log":
        say("log", `    ${e.target}: ${e.text}`);
        break;
      case "fate": {
        const f = e.fate;
        const as = f.kind === "sent" || f.kind === "delivered" ? ` as ${describePacket(e.pkt)}` : "";
        say(f.kind === "sent" || f.kind === "delivered" ? "fate-ok" : "fate-bad", `FATE: ${fateText(f)}${as}`);
        break;
      }
    }
  }
  return out;
}

/**
 * A walk display as explain lines: what was said before, the walk, what is said after. The
 * text front ends print and the colour the REPL paints both come from here.
 */
export function walkLines(d: WalkDisplay): ExplainLine[] {
  const lines = explainLines(d.events, {
    now: d.now,
    tracing: d.tracing,
    from: d.from,
    numberOf: (table, chain, handle) => d.ruleNumbers[ruleKey(table, chain, handle)],
    decode: (chain) => d.meanings[chain],
  });
  const cursor = (l: string): ExplainLine => ({ text: l, tone: "cursor" });
  return [...(d.before ?? []).map(cursor), ...lines, ...(d.after ?? []).map(cursor)];
}

/** The plain text of walk displays, as every front end without colour prints them. */
export function walkText(ds: WalkDisplay[]): string {
  return ds.flatMap(walkLines).map((l) => l.text).join("\n");
}
