// The ktrace Jupyter kernel as Jupyter sees it: installed with `ktrace-repl kernel install
// --prefix`, started and driven by jupyter_client (test/notebook/kernel_driver.py), its replies
// compared with what the same commands give on a Session in this process.
// Needs the build (dist/) and Debian's python3 with jupyter_client; skips outside CI without them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Session } from "../../src/lang/session.js";
import { findCommand, runLine } from "../../src/lang/commands/index.js";
import { loadCanned } from "../../src/sources/load.js";
import { nodeIo } from "../../src/sources/io.js";

const PY = "/usr/bin/python3";
const CLI = fileURLToPath(new URL("../../dist/ktrace-repl.js", import.meta.url));
const DRIVER = fileURLToPath(new URL("./kernel_driver.py", import.meta.url));
const hasJupyter = existsSync(PY) && spawnSync(PY, ["-c", "import jupyter_client"]).status === 0;
const run = hasJupyter || process.env.CI === "true";
if (!run) console.warn("test/notebook/kernel.test.ts skipped: /usr/bin/python3 with jupyter_client is missing (apt-get install python3-jupyter-client); it always runs when CI=true");

type Msg = { msg_type: string; content: Record<string, any>; received?: number; iopub?: { msg_type: string; content: Record<string, any> }[] };

/** One jupyter_client session: JSON lines to the driver, one JSON answer per line. */
class Driver {
  private readonly answers: ((line: string) => void)[] = [];
  private readonly lines: string[] = [];
  stderr = "";
  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on("line", (l) => {
      const waiting = this.answers.shift();
      if (waiting) waiting(l);
      else this.lines.push(l);
    });
    proc.stderr.on("data", (d) => (this.stderr += String(d)));
  }
  next(): Promise<any> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(JSON.parse(l));
    return new Promise((resolve, reject) => {
      this.answers.push((x) => resolve(JSON.parse(x)));
      this.proc.once("exit", () => reject(new Error(`driver exited: ${this.stderr}`)));
    });
  }
  async ask(req: Record<string, unknown>): Promise<any> {
    this.proc.stdin.write(JSON.stringify(req) + "\n");
    const a = await this.next();
    if (!a.ok) throw new Error(`driver: ${a.error}\n${this.stderr}`);
    return a.result;
  }
  execute = (code: string, extra: Record<string, unknown> = {}): Promise<Msg> => this.ask({ op: "execute", code, ...extra });
}

/**
 * A ruleset big enough that loading it takes seconds (4-5 s on the 2-core CI machine: 300,000
 * lines, each with five matches to check), so an interrupt always finds the load running.
 */
function writeBigRules(rules: string): string {
  const lines = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"];
  for (let i = 0; i < 300_000; i++) {
    const port = 1 + (i % 60000);
    lines.push(`-A INPUT -s 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 -p tcp -m comment --comment "ns-${i % 97}/svc-${i}:http" -m multiport --dports ${port},${port + 1},8080 -m mark ! --mark 0x4000/0x4000 -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT`);
  }
  writeFileSync(rules, [...lines, "COMMIT", ""].join("\n"));
  return rules;
}

const outputsOf = (m: Msg) => (m.iopub ?? []).filter((x) => ["execute_result", "display_data", "error", "stream"].includes(x.msg_type));
const resultText = (m: Msg) => m.iopub?.find((x) => x.msg_type === "execute_result")?.content.data["text/plain"] as string | undefined;

/** Puts the kernel's session back to its start (engine, random stream, sent packets). */
async function resetKernel(k: Driver) {
  const r = await k.execute("reset");
  expect(r.content.status).toBe("ok");
}

/** The REPL's session, as the kernel starts it. */
function replSession(): Session {
  const s = new Session(loadCanned("article"), nodeIo, 1);
  s.stepByStep = true;
  return s;
}

describe.skipIf(!run)("the ktrace kernel through jupyter_client", () => {
  let prefix: string;
  let env: NodeJS.ProcessEnv;
  let k: Driver;

  beforeAll(async () => {
    prefix = mkdtempSync(join(tmpdir(), "ktrace-kernel-"));
    const inst = spawnSync(process.execPath, [CLI, "kernel", "install", "--prefix", prefix], { encoding: "utf8" });
    expect(inst.stderr).toBe("");
    expect(inst.status).toBe(0);
    // a --prefix install says how to make Jupyter look there
    expect(inst.stdout).toContain(`try it: JUPYTER_PATH=${join(prefix, "share", "jupyter")} jupyter notebook `);
    env = { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter"), JUPYTER_DATA_DIR: join(prefix, "data"), JUPYTER_RUNTIME_DIR: join(prefix, "runtime") };
    k = new Driver(spawn(PY, [DRIVER, "ktrace"], { env }));
    const ready = await k.next();
    expect(ready).toEqual({ ready: true, kernel: "ktrace" });
  });

  afterAll(async () => {
    if (!k) return;
    const r = await k.ask({ op: "shutdown" }).catch(() => ({ alive: "unknown" }));
    k.proc.kill();
    rmSync(prefix, { recursive: true, force: true });
    expect(r.alive).toBe(false);
  });

  it("installs a kernelspec pointing at this node and build, with logos, where Jupyter looks", () => {
    const dir = join(prefix, "share", "jupyter", "kernels", "ktrace");
    const spec = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"));
    expect(spec.argv[0]).toBe(process.execPath);
    expect(spec.argv[1]).toBe(fileURLToPath(new URL("../../dist/notebook/kernel-main.js", import.meta.url)));
    expect(spec.argv.slice(2)).toEqual(["--connection-file", "{connection_file}"]);
    expect(spec.interrupt_mode).toBe("message");
    for (const size of [32, 64]) {
      const png = readFileSync(join(dir, `logo-${size}x${size}.png`));
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
    const listed = spawnSync("/usr/bin/jupyter", ["kernelspec", "list", "--json"], { encoding: "utf8", env });
    expect(JSON.parse(listed.stdout).kernelspecs.ktrace.resource_dir).toBe(dir);
  }, 60_000);

  it("uninstall removes the spec, and says so when there is none", () => {
    const other = mkdtempSync(join(tmpdir(), "ktrace-kernel-"));
    const env2 = { ...env, JUPYTER_PATH: join(other, "share", "jupyter") };
    expect(spawnSync(process.execPath, [CLI, "kernel", "install", "--prefix", other]).status).toBe(0);
    const list = () => Object.keys(JSON.parse(spawnSync("/usr/bin/jupyter", ["kernelspec", "list", "--json"], { encoding: "utf8", env: env2 }).stdout).kernelspecs);
    expect(list()).toContain("ktrace");
    const un = spawnSync(process.execPath, [CLI, "kernel", "uninstall", "--prefix", other], { encoding: "utf8" });
    expect(un.status).toBe(0);
    expect(un.stdout).toContain(join(other, "share", "jupyter", "kernels", "ktrace"));
    expect(existsSync(join(other, "share", "jupyter", "kernels", "ktrace"))).toBe(false);
    expect(list()).not.toContain("ktrace");
    const again = spawnSync(process.execPath, [CLI, "kernel", "uninstall", "--prefix", other], { encoding: "utf8" });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/no ktrace kernel in .*kernels/);
    const bad = spawnSync(process.execPath, [CLI, "kernel", "install", "--user", "--prefix", other], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--prefix and --user cannot both be given");
    rmSync(other, { recursive: true, force: true });
  }, 90_000);

  it("answers kernel_info with the ktrace language", async () => {
    const r: Msg = await k.ask({ op: "kernel_info" });
    expect(r.msg_type).toBe("kernel_info_reply");
    expect(r.content.status).toBe("ok");
    expect(r.content.implementation).toBe("ktrace");
    expect(r.content.language_info).toMatchObject({ name: "ktrace", file_extension: ".ktrace", mimetype: "text/x-ktrace" });
    expect(r.content.banner).toMatch(/ktrace/);
    expect(r.content.help_links.length).toBeGreaterThan(0);
  });

  it("keeps one session across cells: send in one cell, step in the next, as the REPL does", async () => {
    await resetKernel(k);
    const here = replSession();
    const cells = ["send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "step", "step 3", "show state"];
    for (const code of cells) {
      const r = await k.execute(code);
      expect(r.content.status).toBe("ok");
      const expected = runLine(here, code);
      expect(expected.error).toBeUndefined();
      expect(resultText(r)).toBe(expected.text);
      expect(r.iopub!.find((x) => x.msg_type === "execute_input")?.content.code).toBe(code);
    }
    // a fresh session could not step: the kernel's `step` went on from the cell before
    expect(runLine(replSession(), "step").error).toBeTruthy();
  });

  it("runs a multi-line cell line by line: display_data for each, execute_result for the last", async () => {
    await resetKernel(k);
    const here = replSession();
    for (const l of ["send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "next"]) runLine(here, l);
    const r = await k.execute("send tcp 192.168.1.88:49058 -> 10.43.156.98:9898\nnext\n# a comment\nwhere");
    expect(r.content.status).toBe("ok");
    const outs = outputsOf(r);
    expect(outs.map((o) => o.msg_type)).toEqual(["display_data", "display_data", "execute_result"]);
    expect(outs[2]!.content.data["text/plain"]).toBe(runLine(here, "where").text);
    expect(outs[2]!.content.execution_count).toBe(r.content.execution_count);
  });

  it("a bad command is an error reply with one line; the cell stops there and the next cell works", async () => {
    await resetKernel(k);
    const here = replSession();
    runLine(here, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    await k.execute("send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    const r = await k.execute("step\n  sned tcp 1.2.3.4:1 -> 5.6.7.8:2\nstep");
    expect(r.content.status).toBe("error");
    expect(r.content.ename).toBe("KtraceError");
    expect(r.content.evalue).toBe('line 2, column 3: unknown command "sned" (did you mean send?)');
    expect(r.content.traceback).toHaveLength(1);
    const err = r.iopub!.find((x) => x.msg_type === "error");
    expect(err?.content.evalue).toBe(r.content.evalue);
    const stderr = r.iopub!.filter((x) => x.msg_type === "stream" && x.content.name === "stderr").map((x) => x.content.text).join("");
    expect(stderr).toContain("1 command after it did not run");
    // line 1 ran, line 3 did not: the cursor is one step in
    runLine(here, "step");
    const next = await k.execute("where");
    expect(next.content.status).toBe("ok");
    expect(resultText(next)).toBe(runLine(here, "where").text);
  });

  it("a note (the clock moved, nothing traced) comes on stdout, not as an error on stderr", async () => {
    // (no reset: the next test sends stats about the packet the one before sent)
    const r = await k.execute("format xtables-monitor\ntick 5\nformat explain");
    expect(r.content.status).toBe("ok");
    const streams = (name: string) => r.iopub!.filter((x) => x.msg_type === "stream" && x.content.name === name).map((x) => x.content.text).join("");
    expect(streams("stdout")).toContain("clock +5s");
    expect(streams("stderr")).toBe("");
  });

  it("aborts cells queued behind a failing one (stop_on_error), as IPython does", async () => {
    const a = await k.ask({ op: "execute_nowait", code: "stats 2000" });
    const b = await k.ask({ op: "execute_nowait", code: "nonsense" });
    const c = await k.ask({ op: "execute_nowait", code: "show source" });
    const ra: Msg = await k.ask({ op: "wait_execute", msg_id: a.msg_id, timeout: 60 });
    const rb: Msg = await k.ask({ op: "wait_execute", msg_id: b.msg_id });
    const rc: Msg = await k.ask({ op: "wait_execute", msg_id: c.msg_id });
    expect(ra.content.status).toBe("ok");
    expect(rb.content.status).toBe("error");
    expect(rc.content.status).toBe("aborted");
    expect((await k.execute("show source")).content.status).toBe("ok");
  }, 90_000);

  it("completes chains of the loaded ruleset: show chain nat KUBE-S", async () => {
    const code = "show chain nat KUBE-S";
    const r: Msg = await k.ask({ op: "complete", code, cursor_pos: code.length });
    const nat = [...replSession().engine.ruleset.tables.get("nat")!.chains.keys()].filter((c) => c.startsWith("KUBE-S")).sort();
    expect(nat.length).toBeGreaterThan(3);
    expect(r.content.status).toBe("ok");
    expect(r.content.matches).toEqual(nat);
    expect([r.content.cursor_start, r.content.cursor_end]).toEqual([15, code.length]);
  });

  it("completes in the command the cursor is in, counting code points", async () => {
    const code = "# route → pods\nsh";
    const r: Msg = await k.ask({ op: "complete", code, cursor_pos: [...code].length });
    expect(r.content.matches).toContain("show");
    expect(r.content.cursor_start).toBe([...code].length - 2);
    const mid = "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 in \nstep";
    const m: Msg = await k.ask({ op: "complete", code: mid, cursor_pos: mid.indexOf("\n") });
    expect(m.content.matches).toEqual(replSession().engine.node.interfaces.map((i) => i.name).sort());
  });

  it("inspect on a KUBE-SVC name decodes it; on a command shows its help; on nothing finds nothing", async () => {
    const name = "KUBE-SVC-Y4T5L63IYP3YFEBS";
    const code = `show chain nat ${name}`;
    const r: Msg = await k.ask({ op: "inspect", code, cursor_pos: code.length - 3 });
    expect(r.content.found).toBe(true);
    const decoded = replSession().names.decode(name)!;
    expect(decoded).toMatch(/Service podinfo/);
    expect(r.content.data["text/plain"]).toContain(decoded);
    expect(r.content.data["text/plain"]).toContain(`Chain ${name}`);
    const h: Msg = await k.ask({ op: "inspect", code: "stats 1000", cursor_pos: 2 });
    expect(h.content.found).toBe(true);
    expect(h.content.data["text/plain"]).toContain(findCommand("stats")!.usage);
    const none: Msg = await k.ask({ op: "inspect", code: "step   ", cursor_pos: 6 });
    expect(none.content.found).toBe(false);
  });

  it("is_complete: a trailing backslash or an open quote wants more", async () => {
    const ask = async (code: string) => ((await k.ask({ op: "is_complete", code })) as Msg).content.status;
    expect(await ask("send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 \\")).toBe("incomplete");
    expect(await ask('load rules "my rules')).toBe("incomplete");
    expect(await ask("show state")).toBe("complete");
    expect(await ask('load rules "my rules.v4"')).toBe("complete");
  });

  it("answers comm_info, history and requests it does not know", async () => {
    const c: Msg = await k.ask({ op: "comm_info" });
    expect(c.msg_type).toBe("comm_info_reply");
    expect(c.content).toEqual({ status: "ok", comms: {} });
    const h: Msg = await k.ask({ op: "history", n: 100 }); // the tail: every cell of this file so far
    expect(h.msg_type).toBe("history_reply");
    expect(h.content.history.some((e: [number, number, string]) => e[2] === "show state")).toBe(true);
    const u: Msg = await k.ask({ op: "raw", msg_type: "frobnicate_request" });
    expect(u.msg_type).toBe("frobnicate_reply");
    expect(u.content.status).toBe("error");
  });

  it("an interrupt stops a long stats promptly; meanwhile the kernel answers; afterwards it works", async () => {
    const started = await k.ask({ op: "execute_nowait", code: "stats 300000 tcp 192.168.1.88:49058 -> 10.43.156.98:9898" });
    await k.ask({ op: "sleep", seconds: 0.5 });
    const during: Msg & { elapsed: number } = await k.ask({ op: "complete", code: "show chain nat KUBE-SE", timeout: 10 });
    expect(during.content.matches).toContain("KUBE-SERVICES");
    const hb = await k.ask({ op: "heartbeat" });
    expect(hb).toEqual({ beating: true, alive: true });
    const intr = await k.ask({ op: "interrupt" });
    const r: Msg = await k.ask({ op: "wait_execute", msg_id: started.msg_id, timeout: 60 });
    expect(r.content.status).toBe("error");
    const m = /interrupted after ([\d,]+) of 300,000 connections/.exec(r.content.evalue);
    expect(m, r.content.evalue).not.toBeNull();
    expect(Number(m![1]!.replace(/,/g, ""))).toBeLessThan(300000);
    expect(r.received! - intr.at).toBeLessThan(2);
    // the completion was answered while stats was still running
    expect(during.received!).toBeLessThan(r.received!);
    const after = await k.execute("route get 10.42.54.194");
    expect(after.content.status).toBe("ok");
    expect(resultText(after)).toBe(runLine(replSession(), "route get 10.42.54.194").text);
    // SIGINT (interrupt_mode "signal", as other front ends send it) stops it the same way
    const again = await k.ask({ op: "execute_nowait", code: "stats 300000 tcp 192.168.1.88:49058 -> 10.43.156.98:9898" });
    await k.ask({ op: "sleep", seconds: 0.5 });
    const sig = await k.ask({ op: "signal_interrupt" });
    const r2: Msg = await k.ask({ op: "wait_execute", msg_id: again.msg_id, timeout: 60 });
    expect(r2.content.evalue).toMatch(/interrupted after [\d,]+ of 300,000 connections/);
    expect(r2.received! - sig.at).toBeLessThan(2);
    expect((await k.execute("show source")).content.status).toBe("ok");
  }, 90_000);

  it("a first interrupt stops a big load rules; the session keeps what it had", async () => {
    const rules = writeBigRules(join(prefix, "big2.rules"));
    const started = await k.ask({ op: "execute_nowait", code: `load rules "${rules}"` });
    await k.ask({ op: "sleep", seconds: 0.5 });
    const intr = await k.ask({ op: "interrupt" });
    const r: Msg = await k.ask({ op: "wait_execute", msg_id: started.msg_id, timeout: 60 });
    expect(r.content.status).toBe("error");
    expect(r.content.evalue).toMatch(/^interrupted after [\d,]+ of 300,006 lines/);
    expect(r.received! - intr.at).toBeLessThan(2);
    expect(resultText(await k.execute("show source"))).toBe(runLine(replSession(), "show source").text);
  }, 90_000);

  it("a second interrupt abandons a command that cannot stop midway, and the session starts afresh", async () => {
    const rules = writeBigRules(join(prefix, "big.rules"));
    // `load rules` stops at the first interrupt (it loads in slices); a scenario file that names
    // the same rules is still read in one go, with no place to stop
    const scenario = join(prefix, "big.yaml");
    writeFileSync(scenario, `title: a big node\nbase: article\nrules_file: ${rules}\n`);
    const started = await k.ask({ op: "execute_nowait", code: `load scenario "${scenario}"` });
    await k.ask({ op: "sleep", seconds: 0.2 });
    await k.ask({ op: "interrupt" });
    // the kernel's warning comes a second after the first interrupt, and only while the command
    // still runs: the second interrupt follows it at once, not after a fixed sleep that a faster
    // load could outrun
    await k.ask({ op: "wait_stream", msg_id: started.msg_id, text: "interrupt again to abandon it", timeout: 30 });
    const second = await k.ask({ op: "interrupt" });
    const r: Msg = await k.ask({ op: "wait_execute", msg_id: started.msg_id, timeout: 60 });
    expect(r.content.status).toBe("error");
    expect(r.content.evalue).toBe("interrupted twice: the command was abandoned; the session was started afresh (load canned article)");
    expect(r.received! - second.at).toBeLessThan(3);
    expect(r.iopub!.some((x) => x.msg_type === "stream" && /interrupt again to abandon it/.test(x.content.text))).toBe(true);
    const src = await k.execute("show source");
    expect(resultText(src)).toBe(runLine(replSession(), "show source").text);
  }, 90_000);

  it("talks unsigned messages when the connection file's key is empty", async () => {
    const unsigned = new Driver(spawn(PY, [DRIVER, "ktrace", "--unsigned"], { env }));
    expect((await unsigned.next()).ready).toBe(true);
    const r = await unsigned.execute("route get 10.42.54.194");
    expect(r.content.status).toBe("ok");
    expect(resultText(r)).toBe(runLine(replSession(), "route get 10.42.54.194").text);
    expect((await unsigned.ask({ op: "shutdown" })).alive).toBe(false);
    unsigned.proc.kill();
  }, 60_000);

  it("ends itself when the Jupyter process that started it dies", async () => {
    const orphaned = new Driver(spawn(PY, [DRIVER, "ktrace"], { env }));
    expect((await orphaned.next()).ready).toBe(true);
    const { pid } = await orphaned.ask({ op: "kernel_pid" });
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    orphaned.proc.kill("SIGKILL");
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toBe(false);
  }, 60_000);

  it("survives what it cannot use: a forged signature, quit, a missing file", async () => {
    await k.ask({ op: "bad_signature" });
    for (let i = 0; i < 40 && !k.stderr.includes("dropped a message"); i++) await new Promise((r) => setTimeout(r, 50));
    expect(k.stderr).toMatch(/ktrace kernel: dropped a message: invalid hmac/);
    const q = await k.execute("quit");
    expect(q.content.status).toBe("ok");
    expect(q.iopub!.some((x) => x.msg_type === "stream" && /Kernel menu/.test(x.content.text))).toBe(true);
    const missing = await k.execute('load rules "/nonexistent/rules.v4"');
    expect(missing.content.status).toBe("error");
    expect(missing.content.evalue).not.toContain("\n");
    expect((await k.ask({ op: "kernel_info" })).content.status).toBe("ok");
    expect(await k.ask({ op: "heartbeat" })).toEqual({ beating: true, alive: true });
  });
});
