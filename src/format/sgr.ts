/**
 * The colours and styles an ANSI text has switched on at a point, as SGR codes, so that a piece
 * cut out of it can open them again.
 *
 * Why: ktrace's coloured output is cut into lines (lessons) and rows (the REPL's wrapping), and
 * each piece is drawn on its own: a style left open would bleed into what follows, one opened
 * earlier would be lost. Codes that switch a style off (22, 39…) take theirs out of the state.
 */

/** which SGR codes a code switches off: 22 bold/dim, 23 italic, 24 underline, 39 colour… */
const SGR_OFF: Record<number, (on: number) => boolean> = {
  22: (c) => c === 1 || c === 2,
  23: (c) => c === 3,
  24: (c) => c === 4,
  27: (c) => c === 7,
  29: (c) => c === 9,
  39: (c) => (c >= 30 && c <= 37) || (c >= 90 && c <= 97),
  49: (c) => (c >= 40 && c <= 47) || (c >= 100 && c <= 107),
};

/** The state after an SGR code's parameters (`"32"`, `"1;36"`, `""` for a reset). */
export function applySgr(open: readonly number[], params: string): number[] {
  let out = [...open];
  for (const c of (params || "0").split(";").map(Number)) {
    if (c === 0) out = [];
    else if (SGR_OFF[c]) out = out.filter((o) => !SGR_OFF[c]!(o));
    else if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** The code that switches the state on again ("" for none). */
export function sgrOpen(open: readonly number[]): string {
  return open.length ? `\x1b[${open.join(";")}m` : "";
}
