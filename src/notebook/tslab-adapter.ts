/**
 * The Jupyter wire protocol for the ktrace kernel, borrowed from tslab — the one file that
 * deep-imports tslab (pinned at 1.0.22 in package.json; its internals may change between versions).
 *
 * Why: tslab's ZmqServer already does the transport right — zeromq sockets bound from the
 * connection file, HMAC-SHA256 signatures checked and made, the heartbeat echoed, busy/idle
 * status on iopub. We keep that and replace its dispatch, because for this kernel it falls
 * short in five ways:
 *   - comm_info_request is answered with msg_type "complete_reply": here it is comm_info_reply;
 *   - unknown requests get no reply, so a client waiting for one hangs: here every `*_request`
 *     gets its `*_reply` (history_request a real one, others status "error" naming the request);
 *     a comm_open for a target we do not have is closed at once, as the spec asks;
 *   - interrupts: tslab expects SIGINT; the ktrace kernelspec says interrupt_mode "message", so
 *     interrupt_request arrives on the control channel and is answered (SIGINT still works);
 *   - completion and inspection are asynchronous here (the session lives in a worker thread) and
 *     execution publishes execute_input, execute_result and error itself;
 *   - a message that fails its signature check rejects a promise nobody awaits, which would end
 *     the process: here it is logged and dropped; and an empty key (unsigned messages, which the
 *     spec allows) is accepted.
 */
import { createHmac } from "node:crypto";
import { ZmqServer } from "tslab/dist/jupyter.js";

export type MimeBundle = Record<string, string>;

/** Where an execution's output goes: iopub messages parented to the execute_request. */
export interface ExecuteSink {
  stream(name: "stdout" | "stderr", text: string): void;
  display(data: MimeBundle): void;
  result(executionCount: number, data: MimeBundle): void;
  error(ename: string, evalue: string, traceback: string[]): void;
  executeInput(code: string, executionCount: number): void;
}

export interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  stop_on_error?: boolean;
}

export type ExecuteReply =
  | { status: "ok"; execution_count: number; payload: unknown[]; user_expressions: Record<string, unknown> }
  | { status: "error"; execution_count: number; ename: string; evalue: string; traceback: string[] }
  | { status: "aborted" };

/** What the ktrace kernel answers; the adapter turns it into signed messages. */
export interface KernelLogic {
  kernelInfo(): Record<string, unknown>;
  execute(req: ExecuteRequest, sink: ExecuteSink): Promise<ExecuteReply>;
  complete(code: string, cursorPos: number): Promise<Record<string, unknown>>;
  inspect(code: string, cursorPos: number, detailLevel: number): Promise<Record<string, unknown>>;
  isComplete(code: string): Record<string, unknown>;
  history(): [number, number, string][];
  interrupt(): void;
  shutdown(): Promise<void>;
}

/** The parts of tslab's ZmqMessage we use (its class is not exported). */
interface Msg {
  header: { msg_type: string; msg_id: string };
  content: Record<string, unknown>;
  createReply(): Msg;
  signAndSend(key: string, sock: unknown): void;
}

/** tslab's handler interface, satisfied for its constructor; our dispatch never calls it. */
const UNUSED_HANDLER = {
  handleKernel: () => ({}) as never,
  handleExecute: async () => ({}) as never,
  handleIsComplete: () => ({}) as never,
  handleInspect: () => ({}) as never,
  handleComplete: () => ({}) as never,
  handleShutdown: () => ({}) as never,
  close: () => {},
};

class KtraceZmqServer extends ZmqServer {
  constructor(
    private readonly logic: KernelLogic,
    configPath: string,
    private readonly onShutdown: () => void,
  ) {
    super(UNUSED_HANDLER, configPath);
  }

  private send(parent: Msg, sock: unknown, msgType: string, content: Record<string, unknown>) {
    const m = parent.createReply();
    m.header.msg_type = msgType;
    m.content = content;
    m.signAndSend(this.connInfo.key, sock);
  }

  override async handleShellMessage(sock: never, ...args: Buffer[]): Promise<void> {
    let msg: Msg;
    try {
      msg = await parseMessage(this.connInfo.key, args);
    } catch (e) {
      process.stderr.write(`ktrace kernel: dropped a message: ${(e as Error).message}\n`);
      return;
    }
    const type = msg.header.msg_type;
    let shutdown = false;
    this.publishStatus("busy", msg as never);
    try {
      switch (type) {
        case "kernel_info_request":
          this.send(msg, sock, "kernel_info_reply", this.logic.kernelInfo());
          break;
        case "execute_request":
          await this.execute(sock, msg);
          break;
        case "complete_request":
          this.send(msg, sock, "complete_reply", await this.logic.complete(String(msg.content.code ?? ""), Number(msg.content.cursor_pos ?? 0)));
          break;
        case "inspect_request":
          this.send(msg, sock, "inspect_reply", await this.logic.inspect(String(msg.content.code ?? ""), Number(msg.content.cursor_pos ?? 0), Number(msg.content.detail_level ?? 0)));
          break;
        case "is_complete_request":
          this.send(msg, sock, "is_complete_reply", this.logic.isComplete(String(msg.content.code ?? "")));
          break;
        case "comm_info_request":
          this.send(msg, sock, "comm_info_reply", { status: "ok", comms: {} });
          break;
        case "history_request": {
          const all = this.logic.history();
          const n = Number(msg.content.n ?? all.length);
          this.send(msg, sock, "history_reply", { status: "ok", history: msg.content.hist_access_type === "tail" ? all.slice(-n) : all });
          break;
        }
        case "interrupt_request":
          this.logic.interrupt();
          this.send(msg, sock, "interrupt_reply", { status: "ok" });
          break;
        case "shutdown_request":
          await this.logic.shutdown();
          this.send(msg, sock, "shutdown_reply", { status: "ok", restart: Boolean(msg.content.restart) });
          shutdown = true;
          break;
        case "comm_open":
          // no comm targets here: close it at once so the front end does not wait on it
          this.send(msg, this.iopub, "comm_close", { comm_id: msg.content.comm_id, data: {} });
          break;
        case "comm_msg":
        case "comm_close":
          break;
        default:
          if (type.endsWith("_request"))
            this.send(msg, sock, type.replace(/_request$/, "_reply"), { status: "error", ename: "NotImplemented", evalue: `the ktrace kernel does not handle ${type}`, traceback: [] });
          else process.stderr.write(`ktrace kernel: ignored a ${type} message\n`);
      }
    } catch (e) {
      process.stderr.write(`ktrace kernel: ${type} failed: ${(e as Error).stack ?? e}\n`);
    } finally {
      this.publishStatus("idle", msg as never);
    }
    if (shutdown) {
      // let zeromq flush the reply before the sockets close
      setTimeout(() => {
        this.close();
        this.onShutdown();
      }, 100);
    }
  }

  private async execute(sock: unknown, msg: Msg) {
    const iopub = this.iopub;
    const sink: ExecuteSink = {
      stream: (name, text) => this.send(msg, iopub, "stream", { name, text }),
      display: (data) => this.send(msg, iopub, "display_data", { data, metadata: {}, transient: {} }),
      result: (n, data) => this.send(msg, iopub, "execute_result", { execution_count: n, data, metadata: {} }),
      error: (ename, evalue, traceback) => this.send(msg, iopub, "error", { ename, evalue, traceback }),
      executeInput: (code, n) => this.send(msg, iopub, "execute_input", { code, execution_count: n }),
    };
    const c = msg.content;
    const reply = await this.logic.execute({ code: String(c.code ?? ""), silent: Boolean(c.silent), store_history: c.store_history !== false, stop_on_error: c.stop_on_error !== false }, sink);
    this.send(msg, sock, "execute_reply", reply);
  }
}

/**
 * tslab parses and verifies (HMAC) a message in ZmqMessage.fromRaw, but does not export the class.
 * Its own handleShellMessage calls fromRaw first and publishStatus("busy", msg) next, outside its
 * try: run it once on a probe whose publishStatus records the message and stops there. From then
 * on the class is known (msg.constructor) and fromRaw is called directly.
 */
let ZmqMessage: { fromRaw(key: string, raw: Buffer[]): Msg } | undefined;
const PROBE_DONE = Symbol("probe done");

async function parseMessage(key: string, frames: Buffer[]): Promise<Msg> {
  const raw = key === "" ? unsignedAsSigned(frames) : frames;
  if (ZmqMessage) return ZmqMessage.fromRaw(key, raw);
  let parsed: Msg | undefined;
  const probe = {
    connInfo: { key },
    publishStatus(_status: string, m: Msg) {
      parsed = m;
      throw PROBE_DONE;
    },
  };
  const original = ZmqServer.prototype.handleShellMessage as (this: unknown, sock: unknown, ...args: Buffer[]) => Promise<void>;
  const outcome = await original.call(probe, undefined, ...raw).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (outcome !== PROBE_DONE || !parsed) throw outcome instanceof Error ? outcome : new Error("tslab did not parse the message");
  ZmqMessage = parsed.constructor as unknown as typeof ZmqMessage;
  return parsed;
}

/**
 * An empty key in the connection file means messages are not signed (the spec: the signature
 * frame is empty). tslab checks a signature whatever the key, so give it the one it computes.
 */
function unsignedAsSigned(frames: Buffer[]): Buffer[] {
  const delim = frames.findIndex((f) => f.toString() === "<IDS|MSG>");
  if (delim < 0 || frames.length < delim + 6) return frames;
  const hmac = createHmac("sha256", "");
  for (const f of frames.slice(delim + 2)) hmac.update(f);
  const out = [...frames];
  out[delim + 1] = Buffer.from(hmac.digest("hex"));
  return out;
}

/**
 * Serves `logic` on the sockets named in the connection file until shutdown_request.
 * SIGINT (interrupt_mode "signal", or Ctrl-C in a terminal) interrupts like interrupt_request.
 */
export async function serveKernel(logic: KernelLogic, connectionFile: string, onShutdown: () => void): Promise<{ close(): void }> {
  const server = new KtraceZmqServer(logic, connectionFile, onShutdown);
  process.on("SIGINT", () => logic.interrupt());
  await server.init();
  return server;
}
