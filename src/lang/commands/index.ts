/**
 * The command table and the one function every front end calls to run a line.
 *
 * Why: a command is written once; errors come back as one clear line with a hint, never as a
 * stack trace, and the session goes on.
 */
import { openRedirect, redirectOf, writeRedirect } from "../long-output.js";
import { failureText, type Command, type CommandFailure, type Progress, type RunResult } from "../command.js";
import type { Session } from "../session.js";
import { CommandError, quoted, splitWords } from "../words.js";
import { didYouMean, isUserError } from "../../engine/parse/errors.js";
import { SourceError } from "../../sources/load.js";
import { SnapshotError } from "../../sources/snapshot.js";
import { connect, reply, send, stats } from "./packets.js";
import { show, trace } from "./show.js";
import { route } from "./route.js";
import { iptables } from "./iptables.js";
import { replay } from "./replay.js";
import { save } from "./save.js";
import { explain } from "./explain.js";
import { dialect, format, history, load, quit, reset, seed, tick } from "./session-cmds.js";
import { prefixFilter } from "../complete.js";
import { back, breakCmd, breaks, cont, deleteCmd, finish, next, step, where } from "./stepping.js";
import { diagram } from "./diagram.js";
import { answer, hint, lesson, lessons } from "./lesson.js";
import { exercise, solution } from "./exercise.js";
import { sysctl } from "./sysctl.js";

const help: Command = {
  name: "help",
  maxArgs: 1,
  usage: "help [COMMAND]",
  summary: "list the commands, or explain one with examples",
  examples: ["help", "help send"],
  run(_s, args) {
    const name = args[0]?.text;
    if (!name) {
      const w = Math.max(...COMMANDS.map((c) => c.name.length));
      return {
        text: ["commands:", ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`), "", "help COMMAND shows its usage and examples. Any command ending in > FILE writes its output to FILE."].join("\n"),
        display: [{ kind: "table", title: "commands (help COMMAND shows its usage and examples)", columns: ["command", "what it does"], rows: COMMANDS.map((c) => [c.name, c.summary]) }],
      };
    }
    const c = findCommand(name);
    if (!c) {
      const hint = didYouMean(name, COMMANDS.map((x) => x.name));
      throw new CommandError(`no command "${name}"`, args[0]!.col, hint ? `did you mean ${hint}?` : "help lists them all");
    }
    return { text: [`${c.usage}`, "", c.summary + ".", ...(c.details ? ["", c.details] : []), "", "examples:", ...c.examples.map((e) => `  ${e}`)].join("\n") };
  },
  complete: (_s, args, partial) => (args.length === 0 ? prefixFilter(COMMANDS.map((c) => c.name), partial) : []),
};

export const COMMANDS: Command[] = [
  help, send, reply, connect, stats,
  step, next, finish, cont, back, where, breakCmd, breaks, deleteCmd,
  show, diagram, explain, trace, iptables, route, replay, save, load, seed, format, dialect, reset, tick, sysctl, history, quit,
  lessons, lesson, hint, answer, exercise, solution,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}

export type { RunResult } from "../command.js";

/** A user error as a result: the fields, and the one line front ends print. */
function failed(f: CommandFailure): RunResult {
  return { text: "", error: failureText(f), hint: f.hint, failure: f };
}

/**
 * Runs one command line. Never throws for anything a user can type. Long work (a command's
 * `start`) runs to its end, unless the session is asked to stop (a notebook's interrupt), which
 * drops it: "interrupted after 12,000 of 100,000 connections".
 */
export function runLine(s: Session, line: string): RunResult {
  const steps = runLineSteps(s, line);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (s.shouldStop?.()) return interrupted(steps, r.value);
  }
}

/** Drops a job part-way: what it had done, as an error the front ends print. */
export function interrupted(steps: Generator<Progress, RunResult, void>, at: Progress): RunResult {
  steps.return({ text: "" });
  return failed({ message: `interrupted after ${at.done.toLocaleString("en-US")} of ${at.total.toLocaleString("en-US")} ${at.unit}`, hint: "nothing of it was kept; a smaller count or file answers sooner" });
}

/** runLine in slices: yields the progress of long work (stats, load), returns the result. */
export function* runLineSteps(s: Session, line: string): Generator<Progress, RunResult, void> {
  const trimmed = line.trim();
  if (!trimmed || trimmed.startsWith("#")) return { text: "" };
  s.commandHistory.push(trimmed);
  try {
    const { words, file } = redirectOf(trimmed, splitWords(trimmed));
    const [head, ...args] = words;
    const cmd = findCommand(head!.text);
    if (!cmd) {
      const hint = didYouMean(head!.text, COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]));
      throw new CommandError(`unknown command ${quoted(head!.text)}`, head!.col, hint ? `did you mean ${hint}?` : "type help for the list");
    }
    if (cmd.maxArgs !== undefined && args.length > cmd.maxArgs) {
      const extra = args[cmd.maxArgs]!;
      const takes = cmd.maxArgs === 0 ? "takes no arguments" : `takes at most ${cmd.maxArgs} argument${cmd.maxArgs === 1 ? "" : "s"}`;
      throw new CommandError(`${cmd.name} ${takes}: "${extra.text}" is one too many`, extra.col, `usage: ${cmd.usage}`);
    }
    if (file) openRedirect(s.io, file);
    const r = cmd.start ? yield* cmd.start(s, args) : cmd.run(s, args);
    return file ? writeRedirect(s.io, r, file) : r;
  } catch (e) {
    if (e instanceof CommandError) return failed({ message: e.message, col: e.col, hint: e.hint });
    if (isUserError(e) || e instanceof SourceError || e instanceof SnapshotError) return failed({ message: e.message });
    // an engine bug must not end the session; say so plainly
    return failed({ message: `internal error: ${(e as Error).message} (please report this with the command you typed)` });
  }
}

/** Completion for a partial line: returns candidate replacements for the last word. */
export function completeLine(s: Session, line: string): string[] {
  let words;
  try {
    words = splitWords(line);
  } catch {
    return [];
  }
  const endsWithSpace = /\s$/.test(line) || line === "";
  const partial = endsWithSpace ? "" : (words.pop()?.text ?? "");
  if (words.length === 0) return prefixFilter(COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]), partial);
  const cmd = findCommand(words[0]!.text);
  if (!cmd?.complete) return [];
  return cmd.complete(s, words.slice(1), partial).filter((c) => c.startsWith(partial));
}
