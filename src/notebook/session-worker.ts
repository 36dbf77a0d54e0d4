/**
 * The kernel's session, on its own thread: runs cells, answers completion and inspection.
 *
 * Why: commands are synchronous, and `stats 20000` walks twenty thousand packets. On the main
 * thread that would stall the heartbeat, completion and the interrupt itself. Here the session
 * may be busy while the main thread keeps talking to Jupyter: an interrupt is a flag in shared
 * memory that `stats` reads through Session.shouldStop, and the same check answers any
 * completion or inspection queued meanwhile (receiveMessageOnPort), so Tab works mid-stats.
 *
 * Messages in (parentPort): { type: "execute", id, code }.
 * Messages out (parentPort): { type: "output", id, out: LineOutput }, then { type: "done", id, error? }.
 * Queries (workerData.queries port): { id, kind: "complete" | "inspect", code, cursor, detail } → { id, reply }.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import { Session } from "../lang/session.js";
import { loadCanned } from "../sources/load.js";
import { nodeIo } from "../sources/io.js";
import { runCell } from "./cell.js";
import { completeCell } from "./cell-complete.js";
import { inspectCell } from "./cell-inspect.js";

export interface WorkerSetup {
  /** Int32Array over it: [0] is set to 1 to interrupt. */
  interrupt: SharedArrayBuffer;
  queries: MessagePort;
  seed: number;
}

export interface Query {
  id: number;
  kind: "complete" | "inspect";
  code: string;
  cursor: number;
  detail: number;
}

const setup = workerData as WorkerSetup;
const flag = new Int32Array(setup.interrupt);
const queries = setup.queries;

// the REPL's session: the article's node, and a packet stops before its first step so that
// `send` in one cell and `step` in the next walk it together
const session = new Session(loadCanned("article"), nodeIo, setup.seed);
session.stepByStep = true;

function answer(q: Query) {
  let reply: unknown;
  try {
    reply = q.kind === "complete" ? completeCell(session, q.code, q.cursor) : inspectCell(session, q.code, q.cursor, q.detail);
  } catch (e) {
    reply = { status: "error", ename: "KtraceError", evalue: `internal error: ${(e as Error).message}`, traceback: [] };
  }
  queries.postMessage({ id: q.id, reply });
}

queries.on("message", (q: Query) => answer(q));

session.shouldStop = () => {
  for (let m = receiveMessageOnPort(queries); m; m = receiveMessageOnPort(queries)) answer(m.message as Query);
  return Atomics.load(flag, 0) !== 0;
};

parentPort!.on("message", (m: { type: "execute"; id: number; code: string }) => {
  if (m.type !== "execute") return;
  let error;
  try {
    error = runCell(session, m.code, (out) => parentPort!.postMessage({ type: "output", id: m.id, out }));
  } catch (e) {
    error = { evalue: `internal error: ${(e as Error).message} (please report this with the cell you ran)`, line: 1, skipped: 0 };
  }
  parentPort!.postMessage({ type: "done", id: m.id, error });
});
