/**
 * The ktrace kernel process: what Jupyter starts from kernel.json
 * (`node …/dist/notebook/kernel-main.js --connection-file {connection_file}`), and what
 * `ktrace-repl kernel --connection-file F` runs.
 *
 * Why: its own small entry, so a kernel starts without loading the terminal REPL (ink, React);
 * a mistake on its command line is one line on stderr, which Jupyter shows in its log.
 */
import { pathToFileURL } from "node:url";
import { realpathSync } from "node:fs";
import { KtraceKernel } from "./kernel.js";
import { serveKernel } from "./tslab-adapter.js";

export const KERNEL_USAGE = "usage: ktrace-repl kernel --connection-file FILE [--seed N]   (Jupyter runs this; see ktrace-repl kernel install)";

export function parseKernelArgs(argv: string[]): { connectionFile: string; seed: number } {
  let connectionFile: string | undefined;
  let seed = 1;
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const m = /^(--connection-file|-f|--seed)(?:=(.*))?$/.exec(w);
    if (!m) throw new Error(`unknown argument "${w}"`);
    const v = m[2] ?? argv[++i];
    if (v === undefined) throw new Error(`${m[1]} needs a value`);
    if (m[1] === "--seed") {
      if (!/^\d+$/.test(v)) throw new Error(`--seed needs a whole number, not "${v}"`);
      seed = Number(v);
    } else connectionFile = v;
  }
  if (!connectionFile) throw new Error("--connection-file is missing");
  return { connectionFile, seed };
}

/**
 * Jupyter names its own process in JPY_PARENT_PID; when that process is gone (killed, crashed)
 * nobody can shut this kernel down, so it ends itself, as ipykernel's parent poller does.
 */
function exitWithParent(env: NodeJS.ProcessEnv = process.env) {
  const pid = Number(env.JPY_PARENT_PID);
  if (!Number.isInteger(pid) || pid <= 1) return;
  setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ESRCH") process.exit(0);
    }
  }, 1000).unref();
}

/** Starts the kernel; resolves once its sockets are bound. The process exits after shutdown_request. */
export async function runKernel(argv: string[]): Promise<number> {
  let a;
  try {
    a = parseKernelArgs(argv);
  } catch (e) {
    process.stderr.write(`ktrace kernel: ${(e as Error).message}\n${KERNEL_USAGE}\n`);
    return 2;
  }
  const kernel = new KtraceKernel({ seed: a.seed });
  process.on("uncaughtException", (e) => process.stderr.write(`ktrace kernel: ${e.stack ?? e}\n`));
  process.on("unhandledRejection", (e) => process.stderr.write(`ktrace kernel: ${(e as Error)?.stack ?? e}\n`));
  await serveKernel(kernel, a.connectionFile, () => process.exit(0));
  exitWithParent();
  return 0;
}

function isMain(): boolean {
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1] ?? "")).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  runKernel(process.argv.slice(2)).then(
    (code) => {
      if (code) process.exit(code);
    },
    (e) => {
      process.stderr.write(`ktrace kernel: could not start: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
