/**
 * Output too long for a screen, and where to send it instead.
 *
 * Why: `iptables -t nat -L -n` on a 10,000-Service node is 500,000 lines (41 MB). ink lays every
 * line it draws out in a grid of cells, so drawing that took minutes and gigabytes, and nobody
 * reads it on a screen anyway. The REPL and the notebook kernel show the head of such output and
 * say how to get all of it: any command followed by `> FILE` writes every line to a file (as a
 * shell would), in every front end, since the command table reads it.
 */
import type { CommandOutput, Display, RunResult } from "./command.js";
import { CommandError, quoted, type Word } from "./words.js";
import type { Io } from "../sources/io.js";

/** Lines a front end draws of one command's output; the rest is counted, not drawn. */
export const SHOWN_LINES = 1000;

/** How many line breaks `text` has from `from` on (counted, not split: the text may be 40 MB). */
function breaksFrom(text: string, from = 0): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** `text` cut to its first `max` lines, with a last line saying what was left out and how to get it. */
export function cutLongOutput(text: string, max = SHOWN_LINES): string {
  let at = -1;
  for (let i = 0; i < max; i++) {
    at = text.indexOf("\n", at + 1);
    if (at < 0) return text;
  }
  const more = breaksFrom(text, at);
  const bytes = Buffer.byteLength(text) + 1; // as the file would hold it, with its last newline
  const size = bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
  // split and joined: a new string, not a slice that would keep the whole output alive
  return `${text.slice(0, at).split("\n").join("\n")}\n… ${more.toLocaleString("en-US")} more line${more === 1 ? "" : "s"} not shown (${size} in all): add > FILE to the command to write all of it to a file`;
}

/**
 * A result cut for a notebook: its text as cutLongOutput cuts it, and its tables to as many rows in
 * all (a listing of a whole table is one table per chain: 100,000 of them on a big node), the tables
 * after dropped. Walks, pictures and lessons are kept whole.
 */
export function cutLongResult<R extends CommandOutput>(r: R, max = SHOWN_LINES): R {
  const text = cutLongOutput(r.text, max);
  let rows = 0;
  let cut = false;
  const display: Display[] = [];
  for (const d of r.display ?? []) {
    if (d.kind !== "table") display.push(d);
    else if (rows >= max) cut = true;
    else {
      const keep = Math.min(d.rows.length, max - rows);
      rows += keep;
      if (keep === d.rows.length) display.push(d);
      else {
        cut = true;
        display.push({ ...d, rows: d.rows.slice(0, keep), rowClasses: d.rowClasses?.slice(0, keep) });
      }
    }
  }
  if (text === r.text && !cut) return r;
  if (cut) display.push({ kind: "markdown", markdown: `*${text === r.text ? "More rows not shown" : text.slice(text.lastIndexOf("\n") + 1)}*` });
  return { ...r, text, display: r.display ? display : undefined };
}

/**
 * A line's words without a trailing `> FILE` (or `>FILE`), and the file: the command's output goes
 * there instead of the screen, as a shell would send it. A quoted ">" is a word like any other.
 */
export function redirectOf(line: string, words: Word[]): { words: Word[]; file?: Word } {
  const n = words.length;
  const plain = (w: Word) => line[w.col - 1] !== '"';
  const last = words[n - 1];
  const before = words[n - 2];
  const append = [last, n >= 3 ? before : undefined].find((w) => w && plain(w) && w.text.startsWith(">>"));
  if (append) throw new CommandError("appending (>>) is not supported", append.col, "> FILE writes the output to FILE, replacing what it held");
  if (n >= 2 && plain(last!) && last!.text === ">") throw new CommandError("> needs a file name", last!.col, "add the file: … > out.txt");
  if (n >= 3 && before!.text === ">" && plain(before!)) return { words: words.slice(0, -2), file: last };
  if (n >= 2 && last!.text.startsWith(">") && plain(last!)) return { words: words.slice(0, -1), file: { text: last!.text.slice(1), col: last!.col + 1 } };
  return { words };
}

/**
 * Opens the file of a `> FILE` before its command runs, as a shell does: emptied, or created. A
 * file that cannot be written stops the command before it changes anything (`iptables -A … > /x`).
 */
export function openRedirect(io: Io, file: Word): void {
  try {
    io.writeFile(file.text, "");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CommandError(`cannot write ${quoted(file.text)}: ${err.code ?? err.message} (the command did not run)`, file.col, "name a file in a directory you can write to");
  }
}

/** A command's result written to its `> FILE`: the result says so instead of holding the text. */
export function writeRedirect(io: Io, r: RunResult, file: Word): RunResult {
  if (r.error) return r;
  try {
    io.writeFile(file.text, r.text ? `${r.text}\n` : "");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new CommandError(`the command ran, but ${quoted(file.text)} cannot be written: ${err.code ?? err.message}`, file.col, "name a file in a directory you can write to");
  }
  const lines = r.text ? breaksFrom(r.text) + 1 : 0;
  return { ...r, text: `wrote ${lines.toLocaleString("en-US")} line${lines === 1 ? "" : "s"} to ${file.text}`, display: undefined };
}
