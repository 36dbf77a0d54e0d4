/**
 * `diagram`: the netfilter hooks and tables (the article's Figure 2) with the last packet's path
 * drawn on it — ASCII in the terminal, SVG in a notebook or a file.
 *
 * Why: after `send`, a learner sees at a glance which tables the packet went through, where it
 * was DNATed and rerouted, which rules the kernel trace could not show, and where it ended.
 */
import type { Command, CommandOutput } from "../command.js";
import type { Session } from "../session.js";
import { CommandError, type Word } from "../words.js";
import { buildScene, emptyScene, type Scene } from "../../format/rich/diagram-scene.js";
import { diagramAscii } from "../../format/rich/diagram-ascii.js";
import { diagramSvg } from "../../format/rich/diagram-svg.js";
import type { Hook } from "../../engine/walk/hooks.js";
import type { TableName } from "../../engine/model/ruleset.js";

/** The scene for the session's last packet (up to the cursor while stepping, or all of it). */
export function sessionScene(s: Session, full = false): Scene {
  const present = (hook: Hook, table: TableName) => s.engine.ruleset.tables.get(table)?.chains.has(hook) ?? false;
  const st = s.stepper;
  if (!st) return emptyScene({ present });
  const end = full ? st.events.length : st.pos < 0 ? 0 : st.stops[st.pos]! + 1;
  return buildScene(st.sent.input, st.events.slice(0, end), { present, tracing: s.hasTraceRule, stepping: !full && !st.done });
}

export const diagram: Command = {
  name: "diagram",
  maxArgs: 3,
  usage: "diagram [full] [-o FILE.svg]",
  summary: "the hooks and tables with the last packet's path drawn on them (ASCII, or SVG with -o)",
  examples: ["diagram", "diagram full", "diagram -o curl.svg"],
  details:
    "Numbers are the packet's steps in order; heavy lines its path. While you step through a packet the diagram shows the path so far (`full`: the whole walk). With no packet yet it shows the bare hooks. -o writes the picture as a self-contained SVG file.",
  run(s, args) {
    let full = false;
    let file: Word | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a.text === "full") full = true;
      else if (a.text === "-o") {
        file = args[++i];
        if (!file) throw new CommandError("-o needs a file name", a.col, "diagram -o curl.svg");
      } else throw new CommandError(`unexpected "${a.text}"`, a.col, "usage: diagram [full] [-o FILE.svg]");
    }
    const scene = sessionScene(s, full);
    const out: CommandOutput = { text: diagramAscii(scene), display: [{ kind: "diagram", scene }] };
    if (file) {
      try {
        s.io.writeFile(file.text, diagramSvg(scene) + "\n");
      } catch (e) {
        throw new CommandError(`cannot write ${file.text}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file.col);
      }
      out.text = `wrote ${file.text} (SVG, ${scene.path.length ? `${scene.path.length} steps` : "no packet yet"})`;
    }
    return out;
  },
  complete: (_s, args, partial) => (args[args.length - 1]?.text === "-o" ? [] : ["full", "-o"].filter((x) => x.startsWith(partial))),
};
