/**
 * The shape of a command, shared by every front end.
 *
 * Why: one table of commands — the REPL, `-e`, stdin scripts, the Jupyter kernel and lessons
 * run the same objects; help and completion read the same fields.
 */
import type { Session } from "./session.js";
import type { Word } from "./words.js";
import type { TraceEvent } from "../engine/trace/events.js";

export interface CommandOutput {
  text: string;
  events?: TraceEvent[];
  quit?: boolean;
  /** Said to the person, not part of the output (stderr in scripts): why the output is empty... */
  note?: string;
}

export interface Command {
  name: string;
  aliases?: string[];
  usage: string;
  summary: string;
  examples: string[];
  details?: string;
  run(s: Session, args: Word[]): CommandOutput;
  /** Completions for the word being typed (args already typed before it). */
  complete?(s: Session, args: Word[], partial: string): string[];
}
