/**
 * `replay FILE | replay article`: a real xtables-monitor --trace capture read against the loaded
 * ruleset, each line with what ktrace makes of it.
 *
 * Why: the article's capture is the ground truth; replaying it line by line shows which rule each
 * TRACE line names and where the packet went in between.
 */
import type { Command } from "../command.js";
import { CommandError } from "../words.js";
import { annotateCapture } from "../../format/replay.js";
import { captureFile } from "../../sources/scenario.js";
import { readSourceFile, SourceError } from "../../sources/load.js";

export const replay: Command = {
  name: "replay",
  maxArgs: 1,
  usage: "replay FILE | replay article",
  summary: "read a real xtables-monitor --trace capture against the loaded ruleset, line by line",
  examples: ["replay article", "replay ./trace.txt"],
  details: "`replay article` reads the article's own capture, shipped with ktrace; any other word with a slash or a dot is a file (capture one with xtables-monitor --trace > trace.txt).",
  run(s, args) {
    const f = args[0];
    if (!f) throw new CommandError("replay needs a capture file", undefined, "replay article, or capture one with: xtables-monitor --trace > trace.txt");
    if (args.length > 1) throw new CommandError(`replay takes one file, not "${args[1]!.text}"`, args[1]!.col);
    let text: string;
    try {
      const { path, shown } = captureFile(f.text);
      text = readSourceFile(s.io, path, shown);
    } catch (e) {
      if (e instanceof SourceError) throw new CommandError(e.message, f.col);
      throw e;
    }
    const lines = annotateCapture(text, s.engine.ruleset);
    if (!lines.some((l) => /^(PACKET| ?TRACE):/.test(l.text))) throw new CommandError(`${f.text} has no xtables-monitor trace lines`, f.col);
    return {
      text: lines.map((l) => `${String(l.line).padStart(4)}  ${l.text}\n${l.notes.map((n) => `      ↳ ${n}`).join("\n")}`).join("\n"),
      display: [{ kind: "table", title: `${f.text}: the capture, line by line, and what ktrace reads in it`, columns: ["line", "xtables-monitor printed", "ktrace reads"], rows: lines.map((l) => [String(l.line), l.text, l.notes.join("\n")]) }],
    };
  },
};
