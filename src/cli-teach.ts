/**
 * The teachers' subcommands of ktrace-repl: `exercise`, `check` and `grade`.
 *
 * Why: a script contract for classes — print an exercise for a seed, check one answer with an
 * exit status (0 right, 1 wrong), grade a whole answers CSV. Each calls the same
 * generateExercise/check the REPL's `exercise` and `answer` use; this file only reads
 * arguments and files and writes output.
 */
import { check, EXERCISE_KINDS, generateExercise, kindList, parseSeed } from "./teach/exercises/index.js";
import { formatReport, gradeCsv, GradeError, resultsCsv } from "./teach/grade.js";
import type { Io } from "./sources/io.js";
import { resolve } from "node:path";

export const TEACH_COMMANDS = ["exercise", "check", "grade"];

export interface TeachOut {
  out(text: string): void;
  err(text: string): void;
  io: Io;
}

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  opts: Map<string, string>;
  flags: Set<string>;
}

/** What `ktrace-repl SUBCOMMAND --help` prints: the usage, and what the exit status means. */
const HELP: Record<string, string> = {
  exercise: [
    "usage: ktrace-repl exercise [KIND --seed N [--solution]]",
    "  prints a seeded exercise (the same KIND and seed give the same exercise everywhere);",
    "  --solution prints its worked answer instead; with no KIND, the list of kinds.",
    "exit status: 0 printed, 2 a usage error.",
  ].join("\n"),
  check: [
    "usage: ktrace-repl check KIND --seed N --answer X [--no-answer]",
    "  checks one answer (a chain name, a letter of the candidates, a mark...) and says why when it is wrong;",
    "  --no-answer says only right or wrong (a student checking before handing in).",
    "exit status: 0 right, 1 wrong, 2 a usage error.",
  ].join("\n"),
  grade: [
    "usage: ktrace-repl grade ANSWERS.csv [--kind KIND] [--out RESULTS.csv]",
    "  grades a class: a CSV whose header names the columns student, seed and answer, and kind",
    "  (or --kind for every row); prints a table, and each row it cannot grade with its line.",
    "  --out writes the results as CSV (never over the answers file).",
    "exit status: 0 every row graded (right or wrong), 1 some rows could not be graded, 2 a usage error",
    "  or a file that cannot be read or written.",
  ].join("\n"),
};

function parse(argv: string[], valued: string[], flags: string[]): Parsed {
  const p: Parsed = { positional: [], opts: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    let w = argv[i]!;
    // --seed=7 as well as --seed 7
    const eq = /^(--[a-z-]+)=(.*)$/.exec(w);
    if (eq && valued.includes(eq[1]!)) {
      argv = [...argv.slice(0, i), eq[1]!, eq[2]!, ...argv.slice(i + 1)];
      w = eq[1]!;
    }
    if (valued.includes(w)) {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${w} needs a value`);
      if (p.opts.has(w)) throw new UsageError(`${w} is given twice`);
      p.opts.set(w, v);
    } else if (flags.includes(w)) p.flags.add(w);
    else if (/^--?[a-zA-Z]/.test(w)) throw new UsageError(`unknown option "${w}" (options here: ${[...valued, ...flags].join(", ")})`);
    else p.positional.push(w);
  }
  return p;
}

function kindAndSeed(cmd: string, p: Parsed): { kind: string; seed: number } {
  const [kind, extra] = p.positional;
  if (!kind) throw new UsageError(`${cmd} needs an exercise kind (${EXERCISE_KINDS.join(", ")})`);
  if (extra) throw new UsageError(`unexpected "${extra}"`);
  if (!EXERCISE_KINDS.includes(kind)) throw new UsageError(`no exercise kind "${kind}" (kinds: ${EXERCISE_KINDS.join(", ")})`);
  const seedText = p.opts.get("--seed");
  if (seedText === undefined) throw new UsageError(`${cmd} ${kind} needs --seed N (the same seed gives the same exercise)`);
  const seed = parseSeed(seedText);
  if (seed === undefined) throw new UsageError(`--seed needs a whole number from 0 to 4294967295, not "${seedText}"`);
  return { kind, seed };
}

/** Runs `ktrace-repl exercise|check|grade …`; returns the exit status. */
export function runTeach(argv: string[], o: TeachOut): number {
  const [cmd, ...rest] = argv;
  if (cmd && HELP[cmd] && rest.some((w) => w === "--help" || w === "-h")) {
    o.out(HELP[cmd] + "\n");
    return 0;
  }
  try {
    switch (cmd) {
      case "exercise": {
        const p = parse(rest, ["--seed"], ["--solution"]);
        if (!p.positional.length && !p.opts.size) {
          o.out(["exercise kinds:", ...kindList(), "", "ktrace-repl exercise KIND --seed N prints one."].join("\n") + "\n");
          return 0;
        }
        const { kind, seed } = kindAndSeed("exercise", p);
        const ex = generateExercise(kind, seed);
        o.out((p.flags.has("--solution") ? ex.solution : ex.text) + "\n");
        return 0;
      }
      case "check": {
        const p = parse(rest, ["--seed", "--answer"], ["--no-answer"]);
        const { kind, seed } = kindAndSeed("check", p);
        const answer = p.opts.get("--answer");
        if (answer === undefined) throw new UsageError(`check needs --answer X`);
        const v = check(generateExercise(kind, seed), answer);
        // --no-answer: right or wrong only, for a student checking before handing in
        const hide = p.flags.has("--no-answer");
        o.out(v.right ? `right (exercise ${kind}, seed ${seed})${hide ? "" : `: ${v.expected}`}\n` : `wrong (exercise ${kind}, seed ${seed})\n${hide ? "" : `${v.feedback}\n`}`);
        return v.right ? 0 : 1;
      }
      case "grade": {
        const p = parse(rest, ["--kind", "--out"], []);
        const [file, extra] = p.positional;
        if (!file) throw new UsageError("grade needs the answers file: ktrace-repl grade answers.csv");
        if (extra) throw new UsageError(`unexpected "${extra}"`);
        let text: string;
        try {
          text = o.io.readFile(file);
        } catch (e) {
          o.err(`ktrace-repl: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}\n`);
          return 2;
        }
        const out = p.opts.get("--out");
        // the answers are the one copy a teacher has: never written over
        if (out !== undefined && resolve(out) === resolve(file)) throw new UsageError(`--out ${out} is the answers file itself: write the results to another file`);
        const report = gradeCsv(text, file, { kind: p.opts.get("--kind") });
        for (const line of report.problems) o.err(`${line}\n`);
        o.out(formatReport(report) + "\n");
        if (out) {
          try {
            o.io.writeFile(out, resultsCsv(report));
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            o.err(`ktrace-repl: cannot write ${out}: ${code === "ENOENT" ? "no such directory" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : (e as Error).message}\n`);
            return 2;
          }
          o.err(`wrote ${out}\n`);
        }
        return report.invalid ? 1 : 0;
      }
      default:
        throw new UsageError(`unknown subcommand "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof GradeError) {
      o.err(`ktrace-repl: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
