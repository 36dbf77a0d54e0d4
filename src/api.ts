/**
 * ktrace for notebook code: `import { Ktrace } from "ktrace"` in a tslab (TypeScript) notebook.
 *
 * Why: a notebook can do what a REPL cannot — send a thousand connections and chart where they
 * went, build a ruleset in code and compare two variants. This is the same session and the same
 * command table as the REPL, the `-e` scripts and the ktrace kernel (every method is a command
 * line underneath), with results as data and rich outputs shown through tslab's `display`.
 * It pulls in no ink or React: the REPL stays out of the notebook's module graph.
 *
 * @example
 * import { Ktrace } from "ktrace";
 * const k = Ktrace.open({ canned: "article", seed: 71508 });
 * const w = k.send("tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
 * w.sep;        // "KUBE-SEP-OYNVDBAPYJ623W6H"
 * k.show("diagram");
 */
import { Session, type Format } from "./lang/session.js";
import { runLine, COMMANDS, type RunResult } from "./lang/commands/index.js";
import type { CommandOutput } from "./lang/command.js";
import { nodeIo, type Io } from "./sources/io.js";
import { loadCanned, loadK8s, loadRulesFile, loadSnapshot, type LoadedSource } from "./sources/load.js";
import { loadScenario } from "./sources/scenario.js";
import { mimeBundle } from "./format/rich/mime.js";
import { cutLongResult } from "./lang/long-output.js";
import { walkData, type WalkData } from "./api-walk.js";
import { showBundle, tslabDisplay, type NotebookDisplay } from "./api-display.js";

export type { WalkData, WalkStep, PacketData } from "./api-walk.js";
export type { NotebookDisplay } from "./api-display.js";
export type { CommandOutput } from "./lang/command.js";

/** What to load. Give one of canned, scenario, rules, rulesFile, k8s, k8sFile, snapshotFile; the default is the article's node. */
export interface OpenOptions {
  /** A canned scenario by name: "article" is the node of *Tracing Kubernetes Services*. */
  canned?: string;
  /** A scenario file (docs/scenarios.md), or a shipped one by name: "article", "services", "flannel-node". */
  scenario?: string;
  /** iptables-save text, run on the article's node (its interfaces and routes). */
  rules?: string;
  rulesFile?: string;
  /** Kubernetes Services and EndpointSlices as YAML (kubectl get svc,endpointslices -A -o yaml): kube-proxy's rules. */
  k8s?: string;
  k8sFile?: string;
  /** A node snapshot written by `ktrace-repl snapshot`. */
  snapshotFile?: string;
  /** The random seed: statistic draws, random ports and IP ids repeat per seed. */
  seed?: number;
  /** How send/reply render their text: "explain" (default), "xtables-monitor" or "json". */
  format?: Format;
  /** Where display() shows things; tslab's display by default. */
  display?: NotebookDisplay;
}

/** A command line that failed: the one-line error and hint a REPL user would see, and the column of the offending word. */
export class KtraceError extends Error {
  constructor(
    readonly line: string,
    readonly error: string,
    readonly hint?: string,
    readonly column?: number,
  ) {
    super(`${line}: ${error}${hint ? ` (${hint})` : ""}`);
    this.name = "KtraceError";
  }
}

/** An Io that serves one in-memory text under one name, so text loads with the file loaders' checks and errors. */
function textIo(name: string, text: string): Io {
  return {
    ...nodeIo,
    readFile: (p) => {
      if (p === name) return text;
      return nodeIo.readFile(p);
    },
  };
}

function loadSource(o: OpenOptions): LoadedSource {
  const given = (["canned", "scenario", "rules", "rulesFile", "k8s", "k8sFile", "snapshotFile"] as const).filter((k) => o[k] !== undefined);
  if (given.length > 1) throw new KtraceError("Ktrace.open", `give one source, not ${given.join(" and ")}`);
  if (o.scenario !== undefined) return loadScenario(nodeIo, o.scenario);
  if (o.rules !== undefined) return loadRulesFile(textIo("<rules>", o.rules), "<rules>");
  if (o.rulesFile !== undefined) return loadRulesFile(nodeIo, o.rulesFile);
  if (o.k8s !== undefined) return loadK8s(textIo("<k8s yaml>", o.k8s), "<k8s yaml>");
  if (o.k8sFile !== undefined) return loadK8s(nodeIo, o.k8sFile);
  if (o.snapshotFile !== undefined) return loadSnapshot(nodeIo, o.snapshotFile);
  return loadCanned(o.canned ?? "article");
}

/** One ktrace session driven from code. */
export class Ktrace {
  private constructor(
    /** The session underneath: the same object the REPL and the kernel drive. */
    readonly session: Session,
    private readonly displayTo?: NotebookDisplay,
  ) {}

  /** Loads a scenario. Throws a KtraceError naming the file, line and token for a bad ruleset. */
  static open(options: OpenOptions = {}): Ktrace {
    let source: LoadedSource;
    try {
      source = loadSource(options);
    } catch (e) {
      if (e instanceof KtraceError) throw e;
      throw new KtraceError("Ktrace.open", (e as Error).message);
    }
    const s = new Session(source, nodeIo, options.seed ?? 1);
    if (options.format) s.format = options.format;
    return new Ktrace(s, options.display);
  }

  /** The names of the commands `run` understands (as `help` lists them). */
  static get commands(): string[] {
    return COMMANDS.map((c) => c.name);
  }

  /** Runs one command line, exactly as typed in the REPL. Throws a KtraceError if it fails. */
  run(line: string): CommandOutput {
    const r = this.tryRun(line);
    if (r.error !== undefined) throw new KtraceError(line.trim(), r.error, r.hint, r.failure?.col);
    return r;
  }

  /** Runs one command line and returns its result or its error — never throws. */
  tryRun(line: string): RunResult {
    return runLine(this.session, line);
  }

  /**
   * Sends one packet (the words after `send`, e.g. "tcp 192.168.1.88:49058 -> 10.43.156.98:9898"
   * or "tcp 192.168.1.20:51000 -> 192.168.1.88:30080 in enp3s0") and returns its walk as data.
   * With `{ stepping: true }` the packet stops before its first step, for `step()`.
   */
  send(packet: string, opts: { stepping?: boolean } = {}): WalkData {
    const before = this.session.stepByStep;
    this.session.stepByStep = opts.stepping ?? false;
    try {
      this.run(`send ${packet}`);
    } finally {
      this.session.stepByStep = before;
    }
    return this.walk();
  }

  /** The peer's answer to the last packet (NAT undone by conntrack), as data. */
  reply(): WalkData {
    this.run("reply");
    return this.walk();
  }

  /** Moves the cursor over the last packet's walk by n steps; the output shows those steps. */
  step(n = 1): CommandOutput {
    return this.run(n === 1 ? "step" : `step ${n}`);
  }

  /** The walk of the last packet sent, as data. */
  walk(): WalkData {
    const last = this.session.sent[this.session.sent.length - 1];
    if (!last) throw new KtraceError("walk", "nothing sent yet", "send a packet first");
    return walkData(last, this.session.engine.ruleset);
  }

  /** The loaded ruleset as iptables-save prints it: edit the text, then Ktrace.open({ rules }). */
  save(): string {
    return this.run("save").text;
  }

  /**
   * The output as a Jupyter MIME bundle (text/plain always; HTML or SVG where the command has them),
   * cut as the notebook kernel cuts it: past 1,000 lines or table rows, a line says how much more
   * there is (`out.text` holds all of it).
   */
  mime(out: CommandOutput): Record<string, string> {
    return mimeBundle(cutLongResult(out));
  }

  /** Shows a command's output in the notebook: its HTML or SVG form, else its text (cut as `mime` cuts it). Returns the MIME type shown. */
  display(out: CommandOutput): string {
    return showBundle(this.mime(out), this.displayTo ?? tslabDisplay());
  }

  /**
   * Runs a command line and shows its output: `k.show("diagram")`, `k.show("show conntrack")`.
   * Returns nothing, so a notebook cell ending with it prints nothing more; `run` returns the output.
   */
  show(line: string): void {
    this.display(this.run(line));
  }
}
