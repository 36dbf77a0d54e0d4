/**
 * Starts the interactive REPL: the ink app in a terminal, or a plain line loop with --plain.
 *
 * Why: one entry point for the CLI; ink and React are loaded only here, so script mode and
 * notebooks never pay for them.
 */
import { createInterface } from "node:readline";
import type { Session } from "../lang/session.js";
import { completeLine, runLine } from "../lang/commands/index.js";
import { appendHistory, loadHistory } from "./history-file.js";

export async function startRepl(session: Session, opts: { plain: boolean }): Promise<number> {
  session.stepByStep = true;
  if (session.format === "explain" || !session.format) session.format = "explain";
  if (opts.plain) return lineRepl(session);
  const t = performance.now();
  // ink draws only the final frame when it believes it runs in CI (CI or CONTINUOUS_INTEGRATION
  // set, read when ink loads): the REPL would show no prompt. This is a terminal, not a CI log.
  for (const k of ["CI", "CONTINUOUS_INTEGRATION"]) if (k in process.env) process.env[k] = "false";
  // React is CommonJS: its functions are on the module's default export (a split bundle's chunk
  // has nothing else)
  const [{ render }, { default: React }, { App }] = await Promise.all([import("ink"), import("react"), import("./app.js")]);
  if (process.env.KTRACE_STARTUP_MARK) process.env.KTRACE_STARTUP_DETAIL = `start ${t.toFixed(0)} ink-loaded ${performance.now().toFixed(0)}`;
  const app = render(React.createElement(App, { session, history: loadHistory() }), { exitOnCtrlC: false });
  await app.waitUntilExit();
  return 0;
}

/** A readline REPL (--plain): history, Tab completion, Ctrl-C cancels the line, Ctrl-D quits. */
export function lineRepl(session: Session): Promise<number> {
  return new Promise((resolve) => {
    const rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      prompt: "ktrace> ",
      history: loadHistory().reverse(),
      completer: (line: string) => {
        const c = completeLine(session, line);
        const word = /\s$/.test(line) ? "" : (line.split(/\s+/).pop() ?? "");
        return [c, word];
      },
    });
    process.stdout.write(`ktrace — ${session.source.title}\n${session.source.hint ? `try: ${session.source.hint}\n` : ""}type help for commands, quit to leave\nnew to netfilter? type lessons — guided walks through the article, one hop at a time\n`);
    rl.prompt();
    rl.on("line", (line) => {
      if (line.trim()) appendHistory(line.trim());
      const r = runLine(session, line);
      if (r.error) process.stdout.write(`error: ${r.error}${r.hint ? `\n  hint: ${r.hint}` : ""}\n`);
      else if (r.text) process.stdout.write(r.text + "\n");
      if (r.note) process.stdout.write(r.note + "\n");
      if (r.quit) {
        rl.close();
        return;
      }
      rl.prompt();
    });
    rl.on("SIGINT", () => {
      process.stdout.write("^C\n");
      rl.write(null, { ctrl: true, name: "u" });
      rl.prompt();
    });
    rl.on("close", () => resolve(0));
  });
}
