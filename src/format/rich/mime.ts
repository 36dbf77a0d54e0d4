/**
 * A command's output as a Jupyter MIME bundle.
 *
 * Why: the notebook kernel shows what a command returned the way a notebook can — the walk as
 * an HTML table, the hook diagram as SVG — and always keeps the plain text beside it, so a
 * front end that knows no HTML (nbconvert to text, a terminal client) still reads the same answer.
 */
import type { CommandOutput } from "../../lang/command.js";

export function mimeBundle(out: CommandOutput): Record<string, string> {
  return { "text/plain": out.text };
}
