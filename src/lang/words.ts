/**
 * Splits a command line into words with columns, for the command language.
 *
 * Why: `send tcp 1.2.3.4:5 -> 6.7.8.9:80 flags SYN,ACK` errors must point at the word that is
 * wrong, in the REPL as in `-e` scripts; double quotes group words (`load rules "my file.v4"`).
 */
export interface Word {
  text: string;
  col: number; // 1-based
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly col?: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CommandError";
  }
}

/** A word as an error message quotes it: a pasted 100 kB word is cut, with its length said. */
export function quoted(text: string, max = 40): string {
  return text.length <= max ? `"${text}"` : `"${text.slice(0, max)}…" (${text.length} characters)`;
}

export function splitWords(line: string): Word[] {
  const out: Word[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    const start = i;
    let text = "";
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') text += line[i++];
      if (i >= line.length) throw new CommandError("unterminated quote", start + 1);
      i++;
    } else {
      while (i < line.length && !/\s/.test(line[i]!)) text += line[i++];
    }
    out.push({ text, col: start + 1 });
  }
  return out;
}
