// Line-level damage for text files under fuzzing, shared by the fuzzers of every file format.
//
// Why: a learner's or a student's file arrives half-copied: lines missing, doubled, cut short,
// swapped, or with junk spliced in. One generator of such damage serves every loader.
import fc from "fast-check";

export interface Edit {
  line: number;
  kind: "drop" | "dup" | "cut" | "junk" | "swap";
  at: number;
  junk: string;
}

/** Up to five edits; junk leans to characters that mean something in YAML, CSV and Markdown. */
export const edits = fc.array(
  fc.record({
    line: fc.nat(),
    kind: fc.constantFrom<Edit["kind"]>("drop", "dup", "cut", "junk", "swap"),
    at: fc.nat(),
    junk: fc.oneof(fc.constantFrom("{", "}", "[", "]", ":", "- ", "\t", '"', ",", "```", "# ", "> ", "null", "-1", "1e999", "0x", "\u0000", "&a", "*a", "!!binary", "\r"), fc.string({ maxLength: 8 })),
  }),
  { minLength: 1, maxLength: 5 },
);

export function applyEdits(text: string, es: Edit[]): string {
  const lines = text.split("\n");
  for (const e of es) {
    const i = e.line % lines.length;
    const l = lines[i]!;
    if (e.kind === "drop") lines.splice(i, 1);
    else if (e.kind === "dup") lines.splice(i, 0, l);
    else if (e.kind === "cut") lines[i] = l.slice(0, e.at % (l.length + 1));
    else if (e.kind === "swap") [lines[i], lines[e.at % lines.length]] = [lines[e.at % lines.length]!, l];
    else lines[i] = l.slice(0, e.at % (l.length + 1)) + e.junk + l.slice(e.at % (l.length + 1));
    if (lines.length === 0) lines.push("");
  }
  return lines.join("\n");
}

/**
 * Runs a loader on damaged input: "ok", or "refused" with a user error (one of `kinds`) whose
 * one-line message names the file. Anything else — another exception, a message without the
 * file, a message on two lines — fails the fuzzer.
 */
export function loadOrRefuse(file: string, load: () => unknown, isUser: (e: unknown) => boolean): "ok" | "refused" {
  try {
    load();
    return "ok";
  } catch (e) {
    if (!isUser(e)) throw new Error(`not a user error: ${(e as Error).stack}`);
    const msg = (e as Error).message;
    if (!msg.includes(file)) throw new Error(`error without the file's name: ${msg}`);
    if (msg.includes("\n")) throw new Error(`error on more than one line: ${JSON.stringify(msg)}`);
    return "refused";
  }
}
