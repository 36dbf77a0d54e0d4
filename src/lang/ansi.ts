/**
 * A command's output for a colour terminal, drawn from its typed result where a renderer exists.
 *
 * Why: the REPL shows the same results as the notebook, from the same data: the hook diagram is
 * one scene drawn as SVG for notebooks and as ANSI here, and a walk's lines are painted by what
 * each is (a match, a miss, a NAT, the fate) — never recoloured by matching the text. The REPL
 * reaches the renderers through `lang`, as it reaches everything else.
 */
import type { CommandOutput, WalkDisplay } from "./command.js";
import { diagramAscii } from "../format/rich/diagram-ascii.js";
import { walkText } from "../format/explain.js";
import { walkAnsi } from "../format/rich/walk-ansi.js";

/** The ANSI form of an output whose text is a picture of its typed data; undefined otherwise. */
export function ansiText(out: CommandOutput): string | undefined {
  const ds = out.display ?? [];
  if (!ds.length) return undefined;
  if (ds.every((d) => d.kind === "walk")) {
    const walks = ds as WalkDisplay[];
    // a breakpoint's line or a note may have been added to the text after the walk was drawn
    return walkText(walks) === out.text ? walkAnsi(walks) : undefined;
  }
  const only = ds.length === 1 ? ds[0] : undefined;
  if (only?.kind !== "diagram") return undefined;
  // `diagram` prints the picture itself; `diagram -o` and `show path` print something else
  if (out.text !== diagramAscii(only.scene)) return undefined;
  return diagramAscii(only.scene, { color: true });
}
