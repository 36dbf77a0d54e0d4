/**
 * A command's output for a colour terminal, drawn from its typed result where a renderer exists.
 *
 * Why: the REPL shows the same results as the notebook, from the same data: the hook diagram is
 * one scene drawn as SVG for notebooks and as ANSI here, never recoloured by matching its text.
 * The REPL reaches the renderers through `lang`, as it reaches everything else.
 */
import type { CommandOutput } from "./command.js";
import { diagramAscii } from "../format/rich/diagram-ascii.js";

/** The ANSI form of an output whose text is a picture of its typed data; undefined otherwise. */
export function ansiText(out: CommandOutput): string | undefined {
  const only = out.display?.length === 1 ? out.display[0] : undefined;
  if (only?.kind !== "diagram") return undefined;
  // `diagram` prints the picture itself; `diagram -o` and `show path` print something else
  if (out.text !== diagramAscii(only.scene)) return undefined;
  return diagramAscii(only.scene, { color: true });
}
