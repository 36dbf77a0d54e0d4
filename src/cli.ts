#!/usr/bin/env node
/**
 * ktrace-repl: picks the mode — snapshot, script (-e or piped stdin), or the interactive REPL.
 *
 * Why: a thin front end; everything it does is a command run on a Session.
 */
import { parseCliArgs, USAGE, type CliArgs } from "./cli-args.js";
import { runTeach, TEACH_COMMANDS } from "./cli-teach.js";
import { Session } from "./lang/session.js";
import { runLine } from "./lang/commands/index.js";
import { nodeIo } from "./sources/io.js";
import { loadCanned, loadK8sSteps, loadLive, loadRulesFileSteps, loadSnapshotSteps, probeHost, SourceError, type LoadedSource } from "./sources/load.js";
import type { ParseProgress } from "./engine/parse/ruleset-parser.js";
import { progressBar } from "./format/progress.js";
import { isUserError } from "./engine/parse/errors.js";
import { loadScenario } from "./sources/scenario.js";
import { SnapshotError } from "./sources/snapshot.js";
import { readFileSync } from "node:fs";
import { kernelCommand } from "./notebook/kernel-cli.js";
import { createInterface } from "node:readline";

/**
 * Runs a loader; on a terminal, a load that takes over half a second draws a progress bar on
 * stderr (a 400,000-line node takes seconds), erased when done. Ctrl-C stops it as any program.
 */
function withProgress(file: string, steps: Generator<ParseProgress, LoadedSource, void>): LoadedSource {
  const started = performance.now();
  let drawn = false;
  for (;;) {
    const r = steps.next();
    if (r.done) {
      if (drawn) process.stderr.write("\r\x1b[K");
      return r.value;
    }
    // a stage with no count yet is said at once: it may take seconds before the first count
    if (process.stderr.isTTY && (performance.now() - started > 500 || (r.value.total === 0 && r.value.stage))) {
      drawn = true;
      process.stderr.write(`\rloading ${file}  ${progressBar(r.value, "lines", 30)}\x1b[K`);
    }
  }
}

function loadSource(a: CliArgs): LoadedSource {
  switch (a.source.kind) {
    case "canned":
      return loadCanned(a.source.arg ?? "article");
    case "rules":
      return withProgress(a.source.arg!, loadRulesFileSteps(nodeIo, a.source.arg!));
    case "snapshot":
      return withProgress(a.source.arg!, loadSnapshotSteps(nodeIo, a.source.arg!));
    case "live":
      return loadLive(nodeIo);
    case "k8s":
      return withProgress(a.source.arg!, loadK8sSteps(nodeIo, a.source.arg!, a.k8s));
    case "scenario":
      return loadScenario(nodeIo, a.source.arg!);
  }
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    return pkg.version;
  } catch {
    return "unknown";
  }
}

/** Runs script lines; an error names where it came from: `-e:2:10:` or `<stdin>:4:16:`. */
export function runScript(session: Session, lines: string[], label: (i: number) => string): number {
  let failed = 0;
  for (const [i, line] of lines.entries()) {
    const r = runScriptLine(session, line, label(i));
    if (r === "failed") failed++;
    if (r === "quit") break;
  }
  return failed ? 1 : 0;
}

/**
 * Runs standard input line by line as it arrives — a pipe, a file, a slow writer, CRLF or no
 * final newline alike — so a script's output starts before its input ends and no size or pace
 * of input is too much (one synchronous read of a pipe fails with EAGAIN).
 */
export async function runStdin(session: Session): Promise<number> {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  let failed = 0;
  let n = 0;
  for await (const line of rl) {
    const r = runScriptLine(session, line.replace(/\r$/, ""), `<stdin>:${++n}`);
    if (r === "failed") failed++;
    if (r === "quit") break;
  }
  rl.close();
  return failed ? 1 : 0;
}

/** One script line: output to stdout, errors and notes to stderr, named by where the line came from. */
function runScriptLine(session: Session, line: string, where: string): "ok" | "failed" | "quit" {
  const r = runLine(session, line);
  if (r.error) {
    const f = r.failure;
    const at = f ? `${where}${f.col ? `:${f.col}` : ""}: ${f.message}` : `${where}: ${r.error}`;
    process.stderr.write(`ktrace: ${at}${r.hint ? ` (${r.hint})` : ""}\n`);
    return "failed";
  }
  if (r.text) process.stdout.write(r.text + "\n");
  if (r.note) process.stderr.write(`ktrace: ${r.note}\n`);
  return r.quit ? "quit" : "ok";
}

async function main(argv: string[]): Promise<number> {
  // exercise, check, grade: the teachers' script contract (src/cli-teach.ts)
  if (TEACH_COMMANDS.includes(argv[0] ?? "")) return runTeach(argv, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), io: nodeIo });
  let a: CliArgs;
  try {
    a = parseCliArgs(argv);
  } catch (e) {
    process.stderr.write(`ktrace-repl: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (a.command === "help") {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  if (a.command === "kernel") return kernelCommand(a.kernelArgs ?? []);
  if (a.command === "version") {
    process.stdout.write(`ktrace-repl ${version()}\n`);
    return 0;
  }
  try {
    if (a.command === "snapshot") {
      const text = probeHost(nodeIo);
      if (a.output) {
        nodeIo.writeFile(a.output, text);
        process.stderr.write(`wrote ${a.output}\n`);
      } else process.stdout.write(text);
      return 0;
    }
    const source = loadSource(a);
    for (const w of source.warnings ?? []) process.stderr.write(`ktrace-repl: warning: ${w}\n`);
    const session = new Session(source, nodeIo, a.seedGiven ? a.seed : (source.seed ?? a.seed));
    if (a.dialect) session.dialect = a.dialect;
    if (a.exprs.length) {
      if (a.format) session.format = a.format;
      return runScript(session, a.exprs, (i) => `-e:${i + 1}`);
    }
    if (!process.stdin.isTTY) {
      if (a.format) session.format = a.format;
      return await runStdin(session);
    }
    if (a.format) session.format = a.format;
    const { startRepl } = await import("./repl/start.js");
    return await startRepl(session, { plain: a.plain });
  } catch (e) {
    if (isUserError(e) || e instanceof SourceError || e instanceof SnapshotError) {
      process.stderr.write(`ktrace-repl: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

// `ktrace-repl ... | head`: a closed pipe ends the program quietly, as for any Unix tool
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`ktrace-repl: internal error: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 70;
  },
);
