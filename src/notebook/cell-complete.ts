/**
 * Tab completion inside a notebook cell: which words fit where the cursor is, and which part of
 * the cell they replace.
 *
 * Why: the REPL's completion (completeLine: commands, tables, chains of the loaded ruleset,
 * interfaces, addresses, lesson numbers…) is the one a notebook user should get too; Jupyter only
 * adds the bookkeeping — cursor positions count Unicode code points, not UTF-16 units, and the
 * reply names the range [cursor_start, cursor_end) its matches replace.
 */
import type { Session } from "../lang/session.js";
import { completeLine } from "../lang/commands/index.js";
import { splitCell } from "./cell-lines.js";

/** A Jupyter cursor position (code points) as an index into a JS string (UTF-16 units). */
export function toUtf16(text: string, codePoints: number): number {
  let i = 0;
  for (let n = 0; n < codePoints && i < text.length; n++) i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return i;
}

/** A JS string index as a Jupyter cursor position (code points). */
export function toCodePoints(text: string, utf16: number): number {
  return [...text.slice(0, utf16)].length;
}

export interface CompleteReply {
  status: "ok";
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: Record<string, unknown>;
}

/** Completions for the word before the cursor, in the command the cursor is in. */
export function completeCell(s: Session, code: string, cursorPos: number = [...code].length): CompleteReply {
  const at = toUtf16(code, cursorPos);
  const before = code.slice(0, at);
  const cmd = splitCell(before).pop();
  const line = cmd?.text ?? "";
  // the word being typed, as the cell spells it (a leading quote included)
  const raw = /\S*$/.exec(before)![0];
  let matches = completeLine(s, line);
  if (raw.startsWith('"')) matches = matches.map((m) => `"${m}`);
  // the cursor as it lies in the cell: one past the end (or NaN) from a front end is the end (or start)
  return { status: "ok", matches, cursor_start: toCodePoints(code, at - raw.length), cursor_end: toCodePoints(code, at), metadata: {} };
}
