/**
 * Commands that change the session: load, seed, format, dialect, reset, tick, history, quit.
 *
 * Why: the same verbs work in the REPL, scripts and notebooks, so a lesson can switch scenario
 * or format mid-way.
 */
import type { Command, Progress } from "../command.js";
import { runToEnd } from "../../engine/steps.js";
import type { ParseProgress } from "../../engine/parse/ruleset-parser.js";
import { CommandError } from "../words.js";
import { FORMATS, type Format } from "../session.js";
import { loadCanned, loadK8sSteps, loadLive, loadRulesFileSteps, loadSnapshotSteps } from "../../sources/load.js";
import { CANNED } from "../../sources/canned/index.js";
import { loadScenario, shippedScenarioNames } from "../../sources/scenario.js";
import { prefixFilter } from "../complete.js";
import { ruleCount } from "../../engine/model/loaded-chain.js";

/** A loader's progress, counted in lines, as commands report it. */
function* inLines<T>(steps: Generator<ParseProgress, T, void>): Generator<Progress, T, void> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    yield { ...r.value, unit: r.value.unit ?? "lines" };
  }
}

export const load: Command = {
  name: "load",
  usage: "load canned NAME | scenario NAME|FILE | rules FILE | snapshot FILE | live | k8s FILE [cidr CIDR] [node NAME] [cni calico|flannel|none]",
  summary: "load another ruleset and node (resets conntrack and history)",
  examples: ["load canned article", "load scenario services", "load scenario ./my-node.yaml", "load rules ./node.rules", "load snapshot ./node.ktrace", "load live", "load k8s ./cluster.yaml node worker-1"],
  run: (s, args) => runToEnd(load.start!(s, args)),
  *start(s, args) {
    const kind = args[0];
    const arg = args[1];
    // k8s takes options after its file; every other source one word at most
    const most = kind?.text === "k8s" ? Infinity : kind?.text === "live" ? 1 : 2;
    if (args.length > most) throw new CommandError(`load ${kind!.text} takes ${most === 1 ? "nothing more" : "one file or name"}: "${args[most]!.text}" is one too many`, args[most]!.col);
    let src;
    switch (kind?.text) {
      case "canned":
        src = loadCanned(arg?.text ?? "article");
        break;
      case "scenario":
        if (!arg) throw new CommandError("load scenario needs a shipped name or a file", kind.col, `shipped: ${shippedScenarioNames().join(", ")}; your own: load scenario ./my-node.yaml (docs/scenarios.md)`);
        src = loadScenario(s.io, arg.text);
        break;
      case "rules":
        if (!arg) throw new CommandError("load rules needs a file", kind.col);
        src = yield* inLines(loadRulesFileSteps(s.io, arg.text));
        break;
      case "snapshot":
        if (!arg) throw new CommandError("load snapshot needs a file", kind.col);
        src = yield* inLines(loadSnapshotSteps(s.io, arg.text));
        break;
      case "live":
        src = loadLive(s.io);
        break;
      case "k8s": {
        if (!arg) throw new CommandError("load k8s needs a YAML file", kind.col, "kubectl get svc,endpointslices -A -o yaml > cluster.yaml");
        const opts: { clusterCidr?: string; nodeName?: string; nodeIp?: string; cni?: "calico" | "flannel" | "none" } = {};
        for (let i = 2; i < args.length; i += 2) {
          const k = args[i]!;
          const v = args[i + 1];
          if (!v) throw new CommandError(`"${k.text}" needs a value`, k.col);
          if (k.text === "cidr") opts.clusterCidr = v.text;
          else if (k.text === "node") opts.nodeName = v.text;
          else if (k.text === "node-ip") opts.nodeIp = v.text;
          else if (k.text === "cni" && (v.text === "calico" || v.text === "flannel" || v.text === "none")) opts.cni = v.text;
          else throw new CommandError(`unknown option "${k.text} ${v.text}"`, k.col, "cidr CIDR, node NAME, node-ip IP, cni calico|flannel|none");
        }
        src = yield* inLines(loadK8sSteps(s.io, arg.text, opts));
        break;
      }
      default:
        throw new CommandError(`load what? "${kind?.text ?? ""}"`, kind?.col, "load canned NAME | scenario NAME|FILE | rules FILE | snapshot FILE | live");
    }
    s.load(src);
    if (src.seed !== undefined) s.setSeed(src.seed);
    let rules = 0;
    for (const t of src.ruleset.tables.values()) for (const c of t.chains.values()) rules += ruleCount(c);
    const warn = (src.warnings ?? []).map((w) => `\nwarning: ${w}`).join("");
    return { text: `loaded ${src.title}: ${src.ruleset.tables.size} tables, ${rules} rules${src.description ? `\n${src.description}` : ""}${warn}${src.hint ? `\ntry: ${src.hint}` : ""}` };
  },
  complete: (_s, args, partial) => (args.length === 0 ? prefixFilter(["canned", "scenario", "rules", "snapshot", "live", "k8s"], partial) : args[0]!.text === "canned" ? prefixFilter(Object.keys(CANNED), partial) : args.length === 1 && args[0]!.text === "scenario" ? prefixFilter(shippedScenarioNames(), partial) : []),
};

export const seed: Command = {
  name: "seed",
  maxArgs: 1,
  usage: "seed N",
  summary: "restart with random seed N (statistic draws, random ports, ids are reproducible per seed)",
  examples: ["seed 7"],
  run(s, args) {
    const v = args[0];
    if (!v || !/^\d+$/.test(v.text)) throw new CommandError("seed needs a whole number", v?.col);
    s.setSeed(Number(v.text));
    return { text: `seed ${s.seed}: state reset` };
  },
};

export const format: Command = {
  name: "format",
  maxArgs: 1,
  usage: "format explain|xtables-monitor|json",
  summary: "how packets are shown: explained step by step, as xtables-monitor --trace prints them, or as JSON",
  examples: ["format xtables-monitor"],
  run(s, args) {
    const v = args[0];
    if (!v) return { text: `format is ${s.format}` };
    if (!FORMATS.includes(v.text as Format)) throw new CommandError(`unknown format "${v.text}"`, v.col, `formats: ${FORMATS.join(", ")}`);
    s.format = v.text as Format;
    return { text: `format ${s.format}` };
  },
  complete: (_s, _a, partial) => prefixFilter(FORMATS, partial),
};

export const dialect: Command = {
  name: "dialect",
  maxArgs: 1,
  usage: "dialect modern|article",
  summary: "xtables-monitor as this kernel prints it (modern) or as the article's older node did",
  examples: ["dialect article"],
  run(s, args) {
    const v = args[0];
    if (!v) return { text: `dialect is ${s.dialect}` };
    if (v.text !== "modern" && v.text !== "article") throw new CommandError(`unknown dialect "${v.text}"`, v.col, "modern or article");
    s.dialect = v.text;
    return { text: `dialect ${s.dialect}` };
  },
  complete: (_s, _a, partial) => prefixFilter(["modern", "article"], partial),
};

export const reset: Command = {
  name: "reset",
  maxArgs: 0,
  usage: "reset",
  summary: "forget conntrack, counters and sent packets; keep the loaded ruleset and seed",
  examples: ["reset"],
  run(s) {
    s.reset();
    return { text: "state reset" };
  },
};

export const tick: Command = {
  name: "tick",
  maxArgs: 1,
  usage: "tick SECONDS",
  summary: "advance the simulated clock (conntrack timeouts, -m recent, -m limit)",
  examples: ["tick 30"],
  run(s, args) {
    const v = args[0];
    if (!v || !/^\d+(\.\d+)?$/.test(v.text)) throw new CommandError("tick needs a number of seconds", v?.col);
    s.tick(Number(v.text) * 1000);
    // with xtables-monitor output, stdout carries monitor lines only: the clock is said aside
    return s.format === "xtables-monitor" ? { text: "", note: `clock +${v.text}s` } : { text: `clock +${v.text}s` };
  },
};

export const history: Command = {
  name: "history",
  maxArgs: 0,
  usage: "history",
  summary: "the commands typed so far",
  examples: ["history"],
  run(s) {
    const rows = s.commandHistory.map((c, i) => [String(i + 1), c]);
    return { text: rows.map(([n, c]) => `${n!.padStart(4)}  ${c}`).join("\n"), display: rows.length ? [{ kind: "table", title: "commands typed so far", columns: ["#", "command"], rows }] : undefined };
  },
};

export const quit: Command = {
  name: "quit",
  maxArgs: 0,
  aliases: ["exit"],
  usage: "quit",
  summary: "leave ktrace",
  examples: ["quit"],
  run: () => ({ text: "", quit: true }),
};
