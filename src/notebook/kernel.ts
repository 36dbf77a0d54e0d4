/**
 * The ktrace Jupyter kernel: one session per kernel, cells in the REPL's command language.
 *
 * Why: a notebook is where a class follows the article together — `send` in one cell, `step` in
 * the next, the walk as a table, the hook diagram as a picture. This is the handler behind the
 * wire protocol (tslab-adapter.ts): it keeps the execution order and count, turns each command's
 * output into execute_result/display_data (text/plain always, richer forms from mimeBundle),
 * notes into stderr, a failing command into an `error` reply with one line saying where and why
 * (the rest of the cell is not run; cells queued behind it are aborted, as in IPython), and
 * passes completion, inspection and interrupts to the session's worker thread.
 *
 * Semantics, decided: the session starts like the REPL's (`load canned article`, seed 1) and
 * steps like the REPL (a sent packet stops before its first step: `step`, `next`, `continue`
 * walk it, in later cells too). `quit` ends nothing: the notebook's Kernel menu does.
 */
import { Worker, MessageChannel, type MessagePort } from "node:worker_threads";
import { readFileSync } from "node:fs";
import type { ExecuteReply, ExecuteRequest, ExecuteSink, KernelLogic, MimeBundle } from "./tslab-adapter.js";
import type { CellError, LineOutput } from "./cell.js";
import { isComplete } from "./cell-lines.js";
import type { Query } from "./session-worker.js";

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "0";
  }
}

type WorkerMsg = { type: "output"; id: number; out: LineOutput } | { type: "done"; id: number; error?: CellError };

export interface KernelOptions {
  seed?: number;
  /** The worker script; tests may point at another build. */
  workerUrl?: URL;
}

export class KtraceKernel implements KernelLogic {
  private worker!: Worker;
  private queries!: MessagePort;
  private readonly interruptFlag = new Int32Array(new SharedArrayBuffer(4));
  private execCount = 0;
  private readonly cells: [number, number, string][] = [];
  /** Executions run one after another, in the order they came. */
  private queue: Promise<unknown> = Promise.resolve();
  private received = 0;
  /** Executions received up to this number are aborted (a cell before them failed). */
  private abortThrough = 0;
  private running?: { id: number; onMsg(m: WorkerMsg): void; fail(why: string): void; warn(text: string): void; interruptedAt?: number };
  private nextId = 1;
  private readonly pending = new Map<number, { kind: Query["kind"]; resolve(reply: Record<string, unknown>): void }>();
  private closing = false;

  constructor(private readonly opts: KernelOptions = {}) {
    this.startWorker();
  }

  private startWorker() {
    const { port1, port2 } = new MessageChannel();
    this.queries = port1;
    this.worker = new Worker(this.opts.workerUrl ?? new URL("./session-worker.js", import.meta.url), {
      workerData: { interrupt: this.interruptFlag.buffer, queries: port2, seed: this.opts.seed ?? 1 },
      transferList: [port2],
    });
    this.worker.on("message", (m: WorkerMsg) => this.running?.id === m.id && this.running.onMsg(m));
    port1.on("message", (m: { id: number; reply: Record<string, unknown> }) => {
      this.pending.get(m.id)?.resolve(m.reply);
      this.pending.delete(m.id);
    });
    // a crash of the session thread must not take the kernel with it: start a fresh session
    this.worker.on("error", (e) => this.workerLost(`internal error: ${e.message}`));
    this.worker.on("exit", (code) => this.workerLost(`the session thread ended (exit code ${code})`));
  }

  private workerLost(why: string) {
    if (this.closing) return;
    const old = this.worker;
    old.removeAllListeners();
    this.queries.close();
    // questions the lost session did not answer get an empty answer, not silence
    for (const [, q] of this.pending) q.resolve(q.kind === "complete" ? { status: "ok", matches: [], cursor_start: 0, cursor_end: 0, metadata: {} } : { status: "ok", found: false, data: {}, metadata: {} });
    this.pending.clear();
    this.running?.fail(`${why}; the session was started afresh (load canned article)`);
    void old.terminate();
    this.startWorker();
  }

  kernelInfo(): Record<string, unknown> {
    const v = version();
    return {
      status: "ok",
      protocol_version: "5.3",
      implementation: "ktrace",
      implementation_version: v,
      language_info: {
        name: "ktrace",
        version: v,
        mimetype: "text/x-ktrace",
        file_extension: ".ktrace",
        codemirror_mode: "shell",
        pygments_lexer: "bash",
      },
      banner: `ktrace ${v} — a simulated Linux node: iptables, conntrack, NAT and routing, step by step.\nThe article's node is loaded. Try: send tcp 192.168.1.88:49058 -> 10.43.156.98:9898, then step. Type help for the commands.`,
      help_links: [
        { text: "Kubernetes: Virtual IPs and Service proxies", url: "https://kubernetes.io/docs/reference/networking/virtual-ips/" },
        { text: "iptables-extensions(8)", url: "https://ipset.netfilter.org/iptables-extensions.man.html" },
      ],
    };
  }

  execute(req: ExecuteRequest, sink: ExecuteSink): Promise<ExecuteReply> {
    const number = ++this.received;
    const run = this.queue.then(() => this.executeNow(number, req, sink));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async executeNow(number: number, req: ExecuteRequest, sink: ExecuteSink): Promise<ExecuteReply> {
    if (number <= this.abortThrough) return { status: "aborted" };
    const silent = req.silent === true;
    if (!silent && req.store_history !== false) {
      this.execCount++;
      this.cells.push([0, this.execCount, req.code]);
    }
    const count = this.execCount;
    if (!silent) sink.executeInput(req.code, count);
    // one output is held back: the cell's last one is its execute_result, the others display_data
    let held: LineOutput | undefined;
    const show = (o: LineOutput, last: boolean) => {
      if (silent) return;
      if (o.bundle) (last ? sink.result(count, o.bundle) : sink.display(o.bundle));
      // a note ("nothing traced", "clock +5s") is news, not an error: Jupyter paints stderr red
      if (o.note) sink.stream("stdout", o.note + "\n");
      if (o.quit) sink.stream("stderr", "(quit ends nothing in a notebook: shut the kernel down from the Kernel menu)\n");
    };
    const error = await new Promise<CellError | undefined>((resolve) => {
      const id = this.nextId++;
      this.running = {
        id,
        onMsg: (m) => {
          if (m.type === "output") {
            if (held) show(held, false);
            held = m.out;
          } else resolve(m.error);
        },
        fail: (why) => resolve({ evalue: why, line: 1, skipped: 0 }),
        warn: (text) => silent || sink.stream("stderr", text),
      };
      Atomics.store(this.interruptFlag, 0, 0);
      this.worker.postMessage({ type: "execute", id, code: req.code });
    });
    this.running = undefined;
    if (held) show(held, !error);
    if (!error) return { status: "ok", execution_count: count, payload: [], user_expressions: {} };
    const traceback = [`KtraceError: ${error.evalue}`];
    if (!silent) {
      sink.error("KtraceError", error.evalue, traceback);
      if (error.skipped) sink.stream("stderr", `(the cell stopped at line ${error.line}: ${error.skipped} command${error.skipped === 1 ? "" : "s"} after it did not run)\n`);
    }
    if (req.stop_on_error !== false) this.abortThrough = this.received;
    return { status: "error", execution_count: count, ename: "KtraceError", evalue: error.evalue, traceback };
  }

  private query(kind: Query["kind"], code: string, cursor: number, detail = 0): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { kind, resolve });
      this.queries.postMessage({ id, kind, code, cursor, detail } satisfies Query);
    });
  }

  complete(code: string, cursorPos: number) {
    return this.query("complete", code, cursorPos);
  }

  inspect(code: string, cursorPos: number, detailLevel: number) {
    return this.query("inspect", code, cursorPos, detailLevel);
  }

  isComplete(code: string): Record<string, unknown> {
    return isComplete(code);
  }

  history(): [number, number, string][] {
    return [...this.cells];
  }

  /**
   * Stops the running cell's long work (stats) at its next check; nothing to do when idle. A
   * command that cannot stop midway (loading a huge ruleset) is abandoned by a second interrupt
   * a second or more later: the session thread is replaced by a fresh one.
   */
  interrupt() {
    const r = this.running;
    if (!r) return;
    const now = Date.now();
    if (r.interruptedAt !== undefined) {
      if (now - r.interruptedAt >= 1000) this.workerLost("interrupted twice: the command was abandoned");
      return;
    }
    r.interruptedAt = now;
    Atomics.store(this.interruptFlag, 0, 1);
    setTimeout(() => {
      if (this.running === r) r.warn("(this command cannot stop midway: interrupt again to abandon it; the session then starts afresh)\n");
    }, 1000).unref();
  }

  async shutdown() {
    this.closing = true;
    this.queries.close();
    await this.worker.terminate();
  }
}

export type { MimeBundle };
