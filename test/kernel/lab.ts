/**
 * A small lab for kernel differential tests: throwaway network namespaces, veth links, a real
 * ruleset loaded with iptables-restore, real packets sent by python3 clients, and the real
 * `xtables-monitor --trace` output, which is then compared with what ktrace prints for the same
 * packets (ktrace runs inside the traced namespace with --live).
 *
 * Everything it creates is named `ktk<pid>-…` and is removed again by `Lab.down()`, by
 * `cleanupAll()` (afterAll) and on SIGINT/SIGTERM/exit. It never sends to an address outside the
 * namespaces it created: every client runs inside a lab namespace, whose only links are the
 * lab's own veth pairs.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(REPO, "dist", "cli.js");
export const PREFIX = `ktk${process.pid}-`;
export const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

// ---------------------------------------------------------------------------------------------
// scenario format (documented in scenarios/README.md)

export interface Step {
  name?: string;
  /** namespace the python client runs in */
  from: string;
  proto: "tcp" | "udp" | "icmp";
  src: string;
  sport?: number;
  dst: string;
  dport?: number;
  /** interface of the traced namespace the packet arrives on (absent: locally generated there) */
  iface?: string;
  /** IP total length ktrace is told (`len N`); default: ktrace's own default */
  len?: number;
  /** client socket options */
  ttl?: number;
  tos?: number;
  /** tcp: bytes sent after connect; udp/icmp: payload bytes (udp default 5, icmp default 56) */
  payload?: number;
  /** tcp: how the client closes: "rst" (SO_LINGER 0, default) or "fin" */
  close?: "rst" | "fin";
  /** seconds the client keeps the connection open before closing (default 0.05) */
  hold?: number;
  /** seconds to wait for connect / a reply (default 0.6 tcp, 0.3 udp/icmp) */
  timeout?: number;
  /** the ktrace commands for this step (default: one `send` derived from the fields above) */
  ktrace?: string[];
  /** extra words appended to the derived send command (e.g. "ttl 5") */
  ktraceExtra?: string;
  /** shell commands run in the traced namespace before the client */
  before?: string[];
}

export interface Case {
  name: string;
  /** several client actions whose traces depend on each other (one ktrace session) */
  steps?: Step[];
  /** statistic --mode random: send this many times (sport, sport+1, ...), compare as sets */
  random?: number;
  /** with random: how many distinct traces ktrace must produce over its seeds */
  outcomes?: number;
  /** a known ktrace deviation: the test still runs and must fail; this text is shown */
  note?: string;
}
export type CaseOrStep = Case & Partial<Step>;

export interface Scenario {
  name: string;
  description?: string;
  base?: string;
  namespaces: string[];
  links: [string, string, string, string][];
  setup: Record<string, string[]>;
  traced: string;
  ipsets?: string[];
  rules: string | string[];
  servers?: Record<string, string[]>;
  cases: CaseOrStep[];
  file?: string;
}

const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), "scenarios");

/** Loads a scenario file, merging its `base` topology (scenarios/topologies/NAME.json). */
export function loadScenario(file: string): Scenario {
  const sc = JSON.parse(readFileSync(file, "utf8")) as Scenario;
  sc.file = file;
  sc.namespaces ??= [];
  sc.links ??= [];
  sc.setup ??= {};
  if (sc.base) {
    const b = JSON.parse(readFileSync(join(SCENARIO_DIR, "topologies", `${sc.base}.json`), "utf8")) as Partial<Scenario>;
    sc.namespaces = [...(b.namespaces ?? []), ...sc.namespaces.filter((n) => !(b.namespaces ?? []).includes(n))];
    sc.links = [...(b.links ?? []), ...sc.links];
    const setup: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(b.setup ?? {})) setup[k] = [...v];
    for (const [k, v] of Object.entries(sc.setup)) setup[k] = [...(setup[k] ?? []), ...v];
    sc.setup = setup;
    const servers: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(b.servers ?? {})) servers[k] = [...v];
    for (const [k, v] of Object.entries(sc.servers ?? {})) servers[k] = [...(servers[k] ?? []), ...v];
    sc.servers = servers;
    sc.traced ??= b.traced!;
  }
  return sc;
}

export function listScenarios(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => join(SCENARIO_DIR, f));
}

export function stepsOf(c: CaseOrStep): Step[] {
  if (c.steps) return c.steps;
  const { name: _n, steps: _s, random: _r, outcomes: _o, note: _no, ...step } = c;
  return [step as Step];
}

/** The ktrace `send` command for a step, as the kernel saw the packet. */
export function ktraceCommands(s: Step, sport = s.sport): string[] {
  if (s.ktrace) return s.ktrace;
  const words = ["send", s.proto, s.proto === "icmp" ? s.src : `${s.src}:${sport}`, "->", s.proto === "icmp" ? s.dst : `${s.dst}:${s.dport}`];
  if (s.iface) words.push("in", s.iface);
  if (s.len !== undefined) words.push("len", String(s.len));
  if (s.ttl !== undefined) words.push("ttl", String(s.ttl));
  if (s.tos !== undefined) words.push("tos", String(s.tos));
  if (s.ktraceExtra) words.push(s.ktraceExtra);
  return [words.join(" ")];
}

// ---------------------------------------------------------------------------------------------
// trace parsing

const LINE = /^(PACKET|\s*TRACE): (\d+) ([0-9a-f]{8}) (.*)$/;

/**
 * Splits monitor (or ktrace) output into packets. A packet is the lines that share a trace id
 * AND an IP ID: trace ids get reused by later packets, IP IDs are 0 for every kernel-made
 * RST/SYN-ACK, but together they identify one pass through the stack. Groups are ordered by
 * their first line; lines inside a group keep their order.
 */
export function parseTrace(text: string): string[][] {
  const groups = new Map<string, string[]>();
  const keyOfTid = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const m = LINE.exec(raw);
    if (!m) continue;
    const [, kind, , tid, rest] = m;
    let key: string;
    if (kind === "PACKET") {
      const ipid = /\bID=(\d+)/.exec(rest!)?.[1] ?? "?";
      key = `${tid}/${ipid}`;
      keyOfTid.set(tid!, key);
    } else {
      key = keyOfTid.get(tid!) ?? `${tid}/?`;
    }
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(raw);
  }
  return [...groups.values()];
}

/** Masks what differs between runs: trace ids, non-zero IP ids, MAC addresses. Trailing blanks stay. */
export function normalise(lines: string[]): string[] {
  return lines.map((l) =>
    l
      .replace(/^(PACKET|\s*TRACE): (\d+) [0-9a-f]{8} /, "$1: $2 <tid> ")
      .replace(/\bID=[1-9]\d* /, "ID=<id> ")
      .replace(/\b(MACSRC|MACDST)=[0-9a-f:]+ /g, "$1=<mac> "),
  );
}

export function render(groups: string[][]): string {
  return groups.map((g) => normalise(g).join("\n")).join("\n\n");
}

// ---------------------------------------------------------------------------------------------
// processes and cleanup

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { ns?: string; input?: string; timeout?: number } = {}): RunResult {
  const full = opts.ns ? ["netns", "exec", opts.ns, cmd, ...args] : args;
  const r = spawnSync(opts.ns ? "ip" : cmd, full, { input: opts.input, encoding: "utf8", timeout: opts.timeout ?? 30_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? (r.error ? 127 : 1), stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? String(r.error) : "") };
}

/** bash -c CMD (in a namespace), throwing with the output when it fails. */
export function sh(cmd: string, ns?: string, input?: string): string {
  const r = run("bash", ["-c", cmd], { ns, input });
  if (r.code !== 0) throw new Error(`[${ns ?? "host"}] ${cmd} -> exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

export const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

const labs = new Set<Lab>();

/** Removes every namespace and process of every live lab, synchronously (safe in signal handlers). */
export function cleanupAll(): void {
  for (const l of [...labs]) l.down();
}

let handlersInstalled = false;
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", cleanupAll);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      cleanupAll();
      process.exit(sig === "SIGINT" ? 130 : 143);
    });
  }
}

/** Deletes ktk<pid>-* namespaces left behind by runs whose process no longer exists. */
export function removeStaleNamespaces(): void {
  const r = run("ip", ["netns", "list"]);
  for (const line of r.stdout.split("\n")) {
    const m = /^(ktk(\d+)-\S+)/.exec(line);
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid === process.pid) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) run("ip", ["netns", "del", m[1]!]);
  }
}

const SERVER = String.raw`
import socket, threading, sys, time
def tcp(ip, port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, port)); s.listen(64)
    def handle(c):
        try:
            c.settimeout(2); c.recv(100)
        except Exception: pass
        c.close()
    while True:
        c, a = s.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()
def udp(ip, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((ip, port))
    while True:
        d, a = s.recvfrom(2048); s.sendto(d, a)
socks = []
for spec in sys.argv[1:]:
    proto, ip, port = spec.split(":")
    threading.Thread(target=tcp if proto == "tcp" else udp, args=(ip, int(port)), daemon=True).start()
time.sleep(0.2)
print("ready", flush=True)
time.sleep(3600)
`;

const CLIENT = String.raw`
import json, socket, struct, sys, time
a = json.loads(sys.argv[1])
proto = a["proto"]
def opts(s):
    if a.get("ttl") is not None: s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, a["ttl"])
    if a.get("tos") is not None: s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, a["tos"])
if proto == "icmp":
    def csum(b):
        if len(b) % 2: b += b"\0"
        t = sum(struct.unpack("!%dH" % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
        return ~t & 0xffff
    ident = a.get("sport") or 1
    data = b"k" * a.get("payload", 56)
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + data), ident, 1) + data
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); opts(s)
    s.bind((a["src"], 0)); s.settimeout(a.get("timeout", 0.3))
    s.sendto(pkt, (a["dst"], 0))
    try: s.recvfrom(2048)
    except Exception as e: print("client:", e)
elif proto == "tcp":
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); opts(s)
    if a.get("close", "rst") == "rst":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.settimeout(a.get("timeout", 0.6)); s.bind((a["src"], a["sport"]))
    try:
        s.connect((a["dst"], a["dport"]))
        if a.get("payload"): s.send(b"k" * a["payload"])
        time.sleep(a.get("hold", 0.05))
    except Exception as e:
        print("client:", e)
    s.close()
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); opts(s)
    s.bind((a["src"], a["sport"])); s.settimeout(a.get("timeout", 0.3))
    s.sendto(b"k" * a.get("payload", 5), (a["dst"], a["dport"]))
    try: s.recvfrom(2048)
    except Exception as e: print("client:", e)
`;

export class Lab {
  readonly dir: string;
  private procs: ChildProcess[] = [];
  private created: string[] = [];
  private monitorProc?: ChildProcess;
  private monitorFile?: string;
  private monitorOffset = 0;

  constructor(readonly sc: Scenario, readonly tag: string) {
    this.dir = mkdtempSync(join(tmpdir(), `${PREFIX}${tag}-`));
    writeFileSync(join(this.dir, "server.py"), SERVER);
    writeFileSync(join(this.dir, "client.py"), CLIENT);
    labs.add(this);
    installHandlers();
  }

  ns(name: string): string {
    return `${PREFIX}${this.tag}-${name}`.slice(0, 60);
  }

  get traced(): string {
    return this.ns(this.sc.traced);
  }

  async up(): Promise<void> {
    const sc = this.sc;
    for (const n of sc.namespaces) {
      const full = this.ns(n);
      const r = run("ip", ["netns", "add", full]);
      if (r.code !== 0) throw new Error(`ip netns add ${full}: ${r.stderr}`);
      this.created.push(full);
      sh("ip link set lo up", full);
    }
    for (const [a, ia, b, ib] of sc.links) {
      const r = run("ip", ["link", "add", ia, "netns", this.ns(a), "type", "veth", "peer", "name", ib, "netns", this.ns(b)]);
      if (r.code !== 0) throw new Error(`veth ${a}:${ia} <-> ${b}:${ib}: ${r.stderr}`);
    }
    for (const [n, cmds] of Object.entries(sc.setup)) for (const c of cmds) sh(c, this.ns(n));
    for (const c of sc.ipsets ?? []) sh(c, this.traced);
    const rules = Array.isArray(sc.rules) ? sc.rules.join("\n") + "\n" : sc.rules;
    const r = run("iptables-restore", [], { ns: this.traced, input: rules });
    if (r.code !== 0) throw new Error(`iptables-restore failed in ${this.traced}:\n${r.stderr}`);
    for (const [n, specs] of Object.entries(sc.servers ?? {})) {
      if (!specs.length) continue;
      const p = spawn("ip", ["netns", "exec", this.ns(n), PYTHON, join(this.dir, "server.py"), ...specs], { stdio: ["ignore", "pipe", "pipe"] });
      this.procs.push(p);
      await new Promise<void>((res, rej) => {
        let err = "";
        const t = setTimeout(() => rej(new Error(`server in ${n} did not start: ${err}`)), 5000);
        p.stderr!.on("data", (d) => (err += String(d)));
        p.stdout!.on("data", (d) => {
          if (String(d).includes("ready")) {
            clearTimeout(t);
            res();
          }
        });
        p.on("exit", (code) => {
          clearTimeout(t);
          rej(new Error(`server in ${n} exited (${code}): ${err}`));
        });
      });
    }
  }

  /** Starts `xtables-monitor --trace` in the traced namespace, writing to a file. */
  async startMonitor(): Promise<void> {
    this.monitorFile = join(this.dir, "monitor.trace");
    const fd = openSync(this.monitorFile, "w");
    this.monitorProc = spawn("ip", ["netns", "exec", this.traced, "stdbuf", "-o0", "-e0", "xtables-monitor", "--trace"], { stdio: ["ignore", fd, fd] });
    closeSync(fd);
    this.procs.push(this.monitorProc);
    await sleep(700);
    if (this.monitorProc.exitCode !== null) throw new Error(`xtables-monitor exited at once: ${readFileSync(this.monitorFile, "utf8")}`);
    this.monitorOffset = 0;
  }

  monitorAlive(): boolean {
    return this.monitorProc !== undefined && this.monitorProc.exitCode === null && this.monitorProc.signalCode === null;
  }

  /** Waits until the monitor file has been quiet for a while, then returns what was added since the last call. */
  async takeMonitorOutput(quietMs = 250): Promise<string> {
    const f = this.monitorFile!;
    let size = statSync(f).size;
    let quiet = 0;
    while (quiet < quietMs) {
      await sleep(50);
      const s = statSync(f).size;
      if (s === size) quiet += 50;
      else {
        size = s;
        quiet = 0;
      }
    }
    const buf = readFileSync(f);
    // only whole lines
    let end = buf.length;
    while (end > this.monitorOffset && buf[end - 1] !== 0x0a) end--;
    const text = buf.subarray(this.monitorOffset, end).toString("utf8");
    this.monitorOffset = end;
    if (/No buffer space|error/i.test(text)) throw new Error(`xtables-monitor reported: ${text}`);
    return text;
  }

  /** Sends one client action with python3 from its namespace. */
  send(s: Step, sport = s.sport): string {
    for (const c of s.before ?? []) sh(c, this.traced);
    const arg = JSON.stringify({ ...s, sport, ktrace: undefined });
    const r = run(PYTHON, [join(this.dir, "client.py"), arg], { ns: this.ns(s.from), timeout: 15_000 });
    if (r.code !== 0) throw new Error(`client failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  /** Runs ktrace inside the traced namespace. */
  ktrace(commands: string[], seed = 1): RunResult {
    const args = [CLI, "--live", "--format", "xtables-monitor", "--seed", String(seed)];
    for (const c of commands) args.push("-e", c);
    return run(process.execPath, args, { ns: this.traced, timeout: 60_000 });
  }

  down(): void {
    for (const p of this.procs) {
      if (p.exitCode === null && p.signalCode === null && p.pid) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    }
    this.procs = [];
    for (const n of this.created.reverse()) run("ip", ["netns", "del", n]);
    this.created = [];
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      /* ignore */
    }
    labs.delete(this);
  }
}

// ---------------------------------------------------------------------------------------------
// prerequisites

export interface Prereqs {
  ok: boolean;
  missing: string[];
}

export function checkPrereqs(): Prereqs {
  const missing: string[] = [];
  if (process.platform !== "linux") missing.push("Linux");
  if (typeof process.getuid === "function" && process.getuid() !== 0) missing.push("root (uid 0)");
  for (const tool of ["ip", "iptables-restore", "xtables-monitor", "stdbuf", "ipset", "nft"]) {
    if (run("bash", ["-c", `command -v ${tool}`]).code !== 0) missing.push(tool);
  }
  if (run(PYTHON, ["-c", "import socket"]).code !== 0) missing.push("python3");
  if (!missing.length) {
    const probe = `${PREFIX}probe`;
    const r = run("ip", ["netns", "add", probe]);
    if (r.code !== 0) missing.push(`ip netns (${r.stderr.trim()})`);
    else run("ip", ["netns", "del", probe]);
  }
  return { ok: missing.length === 0, missing };
}

/** Rebuilds dist/ when a file under src/ is newer than dist/cli.js. */
export function ensureBuilt(): void {
  const newest = (dir: string): number => {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }
    return t;
  };
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newest(join(REPO, "src"))) return;
  const r = spawnSync("npm", ["run", "build"], { cwd: REPO, encoding: "utf8", timeout: 180_000 });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
}
