/**
 * The REPL's prompt as a pure state machine: the line being typed, history navigation, and Tab
 * completion.
 *
 * Why: keyboard behaviour is where a REPL feels right or wrong; keeping it in a reducer lets the
 * tests drive every key without rendering a terminal.
 */
export interface LineState {
  value: string;
  history: string[]; // oldest first
  /** index into history while browsing with up/down; history.length = the new line */
  index: number;
  /** the line being typed before browsing started */
  draft: string;
  completions: string[];
  /** bumped whenever the value is replaced wholesale (the input re-mounts with the cursor at the end) */
  revision: number;
}

export type LineAction =
  | { type: "change"; value: string }
  | { type: "up" }
  | { type: "down" }
  | { type: "cancel" }
  | { type: "submitted" }
  | { type: "complete"; candidates: string[] }
  /** the line replaced by the REPL itself (a Ctrl key's edit): the input re-mounts, cursor at the end */
  | { type: "set"; value: string };

export function initialLine(history: string[] = []): LineState {
  return { value: "", history, index: history.length, draft: "", completions: [], revision: 0 };
}

function commonPrefix(words: string[]): string {
  if (!words.length) return "";
  let p = words[0]!;
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, -1);
  return p;
}

export function lineReducer(s: LineState, a: LineAction): LineState {
  switch (a.type) {
    case "change":
      return { ...s, value: a.value, completions: [] };
    case "up": {
      if (s.index === 0) return s;
      const draft = s.index === s.history.length ? s.value : s.draft;
      const index = s.index - 1;
      return { ...s, index, draft, value: s.history[index]!, completions: [], revision: s.revision + 1 };
    }
    case "down": {
      if (s.index >= s.history.length) return s;
      const index = s.index + 1;
      const value = index === s.history.length ? s.draft : s.history[index]!;
      return { ...s, index, value, completions: [], revision: s.revision + 1 };
    }
    case "cancel":
      return { ...s, value: "", index: s.history.length, draft: "", completions: [], revision: s.revision + 1 };
    case "submitted": {
      const line = s.value.trim();
      const history = line && s.history[s.history.length - 1] !== line ? [...s.history, line] : s.history;
      return { ...s, value: "", history, index: history.length, draft: "", completions: [], revision: s.revision + 1 };
    }
    case "set":
      return { ...s, value: a.value, completions: [], revision: s.revision + 1 };
    case "complete": {
      const c = a.candidates;
      if (!c.length) return { ...s, completions: [] };
      const m = /(\S*)$/.exec(s.value)!;
      const partial = m[1]!;
      const head = s.value.slice(0, s.value.length - partial.length);
      if (c.length === 1) return { ...s, value: `${head}${c[0]} `, completions: [], revision: s.revision + 1 };
      const prefix = commonPrefix(c);
      if (prefix.length > partial.length) return { ...s, value: head + prefix, completions: c, revision: s.revision + 1 };
      return { ...s, completions: c };
    }
  }
}

/**
 * Tab's candidates as the shell lays them out: columns as wide as the longest candidate plus
 * two spaces, filled down then across, in at most `maxRows` rows, and a last line saying how many
 * more did not fit. Joined words left to the terminal to wrap would start some rows with the gap.
 */
export function completionRows(candidates: readonly string[], width: number, maxRows = 10): string[] {
  if (!candidates.length) return [];
  const gap = 2;
  const colWidth = Math.max(...candidates.map((c) => c.length)) + gap;
  const columns = Math.max(1, Math.floor((width + gap) / colWidth));
  const shown = Math.min(candidates.length, columns * maxRows);
  const rows = Math.ceil(shown / columns);
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < columns; c++) {
      const i = c * rows + r;
      if (i < shown) cells.push(candidates[i]!);
    }
    out.push(cells.map((cell, k) => (k < cells.length - 1 ? cell.padEnd(colWidth) : cell)).join(""));
  }
  if (shown < candidates.length) out.push(`… ${(candidates.length - shown).toLocaleString("en-US")} more: type more of the name`);
  return out;
}

/** `after` is `before` with `letter` inserted at some place (the text input's insertion of a Ctrl key). */
export function isLetterInserted(after: string, before: string, letter: string): boolean {
  if (after.length !== before.length + 1) return false;
  for (let i = 0; i <= before.length; i++) if (after === before.slice(0, i) + letter + before.slice(i)) return true;
  return false;
}

/**
 * A line that arrived with Ctrl keys inside it (typed in one burst with other keys, or pasted):
 * each Ctrl-U clears what came before it, each Ctrl-W deletes the word before it, other control
 * characters are dropped — never kept in the line, where they would be invisible. Tab and line
 * breaks are the caller's.
 */
export function applyControlKeys(value: string): string {
  if (!CONTROL.test(value)) return value;
  let out = "";
  for (const ch of value) {
    if (ch === "\x15") out = "";
    else if (ch === "\x17") out = out.replace(/\S+\s*$/, "");
    else if (!CONTROL.test(ch)) out += ch;
  }
  return out;
}

/** Control characters other than Tab and line breaks (those are the caller's). */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
