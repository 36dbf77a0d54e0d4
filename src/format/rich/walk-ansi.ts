/**
 * A packet's walk for a colour terminal: the explain lines, each painted by what it is.
 *
 * Why: the REPL colours matched rules green, misses faint, NAT blue and the fate by how it ended —
 * and it knows which is which from the walk's events (`ExplainLine.tone`), not by matching the
 * text, so a rule whose comment says "DNAT" or "✓" is never painted as one.
 */
import type { WalkDisplay } from "../../lang/command.js";
import { walkLines, type ExplainTone } from "../explain.js";

const RESET = "\x1b[0m";

/** SGR codes per tone; chosen to read on light and dark terminals (no white, black or fills). */
const TONE_SGR: Record<ExplainTone, string> = {
  hook: "1;35",
  table: "1;33",
  match: "32",
  hidden: "32;2",
  "jump-meaning": "36",
  miss: "2",
  return: "2",
  policy: "33",
  nat: "1;34",
  route: "36",
  conntrack: "36",
  state: "",
  spawned: "35",
  log: "33",
  "fate-ok": "1;32",
  "fate-bad": "1;31",
  cursor: "1;36",
};

export function paint(tone: ExplainTone, text: string): string {
  const sgr = TONE_SGR[tone];
  return sgr && text ? `\x1b[${sgr}m${text}${RESET}` : text;
}

/** Walk displays in colour; without the escapes, exactly `walkText` of the same displays. */
export function walkAnsi(ds: WalkDisplay[]): string {
  return ds.flatMap(walkLines).map((l) => paint(l.tone, l.text)).join("\n");
}
