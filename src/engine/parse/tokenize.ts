/**
 * Splits one iptables-restore line into words the way iptables-restore does.
 *
 * Why: iptables-save quotes strings (`--comment "a b"`, backslash-escaped quotes inside); errors
 * must point at the exact column of a word, so each token keeps its 1-based column.
 * Measured (docs/kernel-notes/save-and-restore.md): a `"` opens a quote anywhere in a word, a
 * closing `"` ends the word, a backslash escapes only inside quotes, single quotes are plain.
 * An unterminated quote is refused here (iptables would swallow the rest of the line).
 */
import { ParseError } from "./errors.js";

export interface Token {
  text: string;
  column: number; // 1-based, of the token's first character (its opening quote if quoted)
  quoted: boolean;
}

export function tokenizeLine(line: string, file: string, lineNo: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && (line[i] === " " || line[i] === "\t")) i++;
    if (i >= n) break;
    const start = i;
    // fast path: a plain word (no quotes, no backslashes) is a slice of the line
    let j = i;
    while (j < n) {
      const c = line.charCodeAt(j);
      if (c === 32 || c === 9 || c === 34 || c === 92) break;
      j++;
    }
    if (j >= n || line.charCodeAt(j) === 32 || line.charCodeAt(j) === 9) {
      out.push({ text: line.slice(i, j), column: start + 1, quoted: false });
      i = j;
      continue;
    }
    let text = "";
    let quoted = false;
    let inQuote = false;
    while (i < n && (inQuote || (line[i] !== " " && line[i] !== "\t"))) {
      if (inQuote) {
        // inside quotes, copy the run up to the next quote or backslash at once
        let k = i;
        while (k < n) {
          const c = line.charCodeAt(k);
          if (c === 34 || c === 92) break;
          k++;
        }
        if (k > i) {
          text += line.slice(i, k);
          i = k;
          continue;
        }
      }
      const ch = line[i]!;
      if (ch === "\\" && inQuote && i + 1 < n) {
        text += line[i + 1];
        i += 2;
        continue;
      }
      if (ch === '"') {
        quoted = true;
        i++;
        if (inQuote) {
          inQuote = false;
          break; // a closing quote ends the word; text glued after it is a new word
        }
        inQuote = true;
        continue;
      }
      text += ch;
      i++;
    }
    if (inQuote) throw new ParseError(file, lineNo, start + 1, line.slice(start), "unterminated quoted string");
    out.push({ text, column: start + 1, quoted });
  }
  return out;
}

/** Quote a string argument exactly as iptables-save prints it. */
export function saveString(s: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(s)) return s;
  return `"${s.replace(/[\\"']/g, (c) => `\\${c}`)}"`;
}
