// Kernel differential tests: for every scenario in test/kernel/scenarios/*.json, real packets
// go through real netfilter in throwaway network namespaces while `xtables-monitor --trace`
// records them; then ktrace (--live, inside the traced namespace) is asked for the same packets,
// and its xtables-monitor lines must equal the kernel's (trace ids, non-zero IP ids and MAC
// addresses masked; everything else, trailing blanks included, must match).
//
// Needs root, `ip netns`, iptables (nft), xtables-monitor, ipset, nft and python3. Without them
// the suite is skipped with a message, except under CI=true, where it fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basename } from "node:path";
import {
  Lab,
  checkPrereqs,
  cleanupAll,
  ensureBuilt,
  conntrackLines,
  ktraceCommands,
  listScenarios,
  loadScenario,
  parseTrace,
  removeStaleNamespaces,
  render,
  stepsOf,
  type CaseOrStep,
  type Step,
} from "./lab.js";

const CI = process.env.CI === "true";
const pre = checkPrereqs();
if (!pre.ok && !CI) {
  console.warn(`[kernel] SKIPPED: the kernel differential suite needs ${pre.missing.join(", ")} (run as root on Linux; set CI=true to make this a failure)`);
}
const suite = pre.ok || CI ? describe : describe.skip;

/** ktrace's seeds for random cases: every kernel trace must be one ktrace can produce. */
const SEEDS = 16;

interface CaseResult {
  /** per step: the kernel's packets in that step's window */
  steps: string[][][];
  /** per step that asks for it: `conntrack -L` right after the step */
  conntrack: (string | undefined)[];
  /** per step: when its client started (ms), so that ktrace's clock can follow the kernel's */
  started: number[];
  /** random cases: one rendered trace per repetition */
  random: string[];
}

function stepLabel(s: Step, i: number): string {
  return s.name ?? `${i + 1}: ${s.proto} ${s.src}${s.sport ? ":" + s.sport : ""} -> ${s.dst}${s.dport ? ":" + s.dport : ""}${s.iface ? " in " + s.iface : ""}`;
}

function unsport(text: string, sport: number | undefined): string {
  return sport === undefined ? text : text.replaceAll(`SPORT=${sport} `, "SPORT=<sport> ").replaceAll(`DPORT=${sport} `, "DPORT=<sport> ");
}

suite("kernel differential: ktrace vs xtables-monitor --trace", () => {
  beforeAll(() => {
    if (!pre.ok) throw new Error(`kernel differential suite cannot run (CI=true, so this is a failure): missing ${pre.missing.join(", ")}`);
    removeStaleNamespaces();
    ensureBuilt();
  }, 240_000);
  afterAll(() => cleanupAll());

  const only = process.env.KTK_ONLY;
  for (const file of pre.ok || CI ? listScenarios().filter((f) => !only || basename(f).includes(only)) : []) {
    const sc = loadScenario(file);
    const tag = basename(file, ".json").replace(/[^a-z0-9]/gi, "").slice(0, 12);
    describe(`${basename(file)}: ${sc.name}`, () => {
      let lab: Lab | undefined;
      const results = new Map<CaseOrStep, CaseResult>();
      let labError: Error | undefined;

      beforeAll(async () => {
        if (!pre.ok) return;
        try {
          lab = new Lab(sc, tag);
          await lab.up();
          await lab.startMonitor();
          for (const c of sc.cases) {
            const res: CaseResult = { steps: [], conntrack: [], started: [], random: [] };
            results.set(c, res);
            const steps = stepsOf(c);
            if (c.random) {
              const s = steps[0]!;
              for (let i = 0; i < c.random; i++) {
                lab.send(s, (s.sport ?? 0) + i);
                const text = await lab.takeMonitorOutput();
                res.random.push(unsport(render(parseTrace(text)), (s.sport ?? 0) + i));
              }
              continue;
            }
            for (const s of steps) {
              lab.send(s);
              res.started.push(lab.lastSentAt);
              res.steps.push(parseTrace(await lab.takeMonitorOutput()));
              res.conntrack.push(s.conntrack ? lab.conntrackList() : undefined);
            }
          }
          if (!lab.monitorAlive()) throw new Error("xtables-monitor died during the scenario (buffer overflow?): traces are incomplete");
        } catch (e) {
          labError = e as Error;
        }
      }, 180_000);
      afterAll(() => lab?.down());

      for (const c of sc.cases) {
        const steps = stepsOf(c);
        const title = c.note ? `${c.name} [known deviation: ${c.note}]` : c.name;
        if (c.random) {
          it(`${title} (random: ${c.random} kernel runs vs ${SEEDS} ktrace seeds)`, () => {
            if (labError) throw labError;
            const res = results.get(c)!;
            const s = steps[0]!;
            const sim = new Set<string>();
            for (let seed = 1; seed <= SEEDS; seed++) {
              const r = lab!.ktrace(ktraceCommands(s), seed);
              expect(r.stderr, `ktrace failed (exit ${r.code})`).toBe("");
              expect(r.code).toBe(0);
              sim.add(unsport(render(parseTrace(r.stdout)), s.sport));
            }
            if (process.env.KTK_DEBUG) console.log(`--- kernel\n${[...new Set(res.random)].join("\n\n")}\n--- ktrace\n${[...sim].join("\n\n")}`);
            for (const k of res.random) {
              expect(k, "the kernel captured no trace for this packet: the scenario is broken").not.toBe("");
              if (!sim.has(k)) expect([...sim].join("\n\n========\n\n"), "ktrace never produces this kernel trace").toBe(k);
            }
            if (c.outcomes !== undefined) expect(sim.size, "number of distinct traces ktrace produces").toBe(c.outcomes);
            // 16 ktrace runs with --live: 13 s on a quiet machine, over 20 s on a busy one
          }, 90_000);
          continue;
        }
        // one test per step; ktrace replays steps 1..k in one session, and step k's lines are
        // what that session printed after the output of steps 1..k-1
        let prev: string | undefined;
        steps.forEach((s, k) => {
          it(`${title} — ${stepLabel(s, k)}`, () => {
            if (labError) throw labError;
            const res = results.get(c)!;
            const kernel = res.steps[k]!;
            // where conntrack entries are compared, ktrace's clock moves as the kernel's did between
            // the steps (an entry a segment does not refresh ages in real time)
            const clock = steps.some((x) => x.conntrack);
            const cmds = steps.slice(0, k + 1).flatMap((x, j) => [...(clock && j > 0 ? [`tick ${((res.started[j]! - res.started[j - 1]!) / 1000).toFixed(3)}`] : []), ...ktraceCommands(x)]);
            const r = lab!.ktrace(cmds);
            const before = prev;
            prev = r.stdout;
            // `tick` says the clock moved on stderr (stdout carries monitor lines only); nothing else may be there
            const stderr = r.stderr.replace(/^ktrace: clock \+[\d.]+s\n/gm, "");
            expect(stderr, `ktrace ${cmds.map((x) => `-e '${x}'`).join(" ")} failed (exit ${r.code})`).toBe("");
            expect(r.code).toBe(0);
            let out = r.stdout;
            if (k > 0) {
              expect(before !== undefined && out.startsWith(before), "ktrace replayed the earlier steps differently (or an earlier step failed)").toBe(true);
              out = out.slice(before!.length);
            }
            expect(kernel.length, "the kernel captured no trace for this step: the scenario is broken").toBeGreaterThan(0);
            if (process.env.KTK_DEBUG) console.log(`--- kernel\n${render(kernel)}\n--- ktrace\n${render(parseTrace(out))}`);
            expect(render(parseTrace(out))).toBe(render(kernel));
            const listed = res.conntrack[k];
            if (listed !== undefined) {
              // the entry as conntrack -L shows it; the kernel's clock ran on while the lab waited
              const want = conntrackLines(listed, s);
              const got = conntrackLines(out, s);
              if (process.env.KTK_DEBUG) console.log(`--- conntrack -L\n${listed}--- ktrace show conntrack\n${got.map((l) => `${l.text} (${l.timeout})`).join("\n")}`);
              expect(got.map((l) => l.text), "the flow's conntrack entry").toEqual(want.map((l) => l.text));
              got.forEach((l, i) => expect(Math.abs(l.timeout - want[i]!.timeout), `timeout: ktrace ${l.timeout}, kernel ${want[i]!.timeout}`).toBeLessThanOrEqual(2));
            }
          });
        });
      }
    });
  }
});
