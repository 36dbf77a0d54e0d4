/**
 * -m statistic: random or every-nth matching.
 *
 * Why: this is kube-proxy's load balancer. The kernel stores the probability as a 31-bit
 * fraction (lround(p * 2^31)) and iptables-save prints that back with %.11f, which is why
 * 1/3 reads 0.33333333349. Linux: xt_statistic.c — (get_random_u32() & 0x7FFFFFFF) < probability.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { Missed, arg, bang, uintArg, uniqueUses } from "../util.js";

type StatData =
  | { mode: "random"; probability: number; neg: boolean }
  | { mode: "nth"; every: number; packet: number; neg: boolean };

export function storedProbability(p: number): number {
  return Math.round(p * 0x80000000);
}

export function printProbability(stored: number): string {
  return (stored / 0x80000000).toFixed(11);
}

const statistic: MatchModule<StatData> = {
  kind: "match",
  name: "statistic",
  help: "--mode random --probability P | --mode nth --every N [--packet P]",
  options: [
    { name: "mode", help: "random or nth" },
    { name: "probability", negatable: true, help: "0.0 to 1.0" },
    { name: "every", negatable: true, help: "match one packet in N" },
    { name: "packet", help: "initial counter (0 to N-1)" },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const mode = m.get("mode");
    if (!mode) ctx.reject("statistic: no --mode given");
    const modeName = arg(mode, ctx);
    if (modeName === "random") {
      const p = m.get("probability");
      if (!p) ctx.reject("statistic: --probability is required in random mode");
      const v = Number(arg(p, ctx));
      if (!Number.isFinite(v) || v < 0 || v > 1 || !/^[0-9.eE+-]+$/.test(p.args[0]!)) ctx.fail(p.argTokens[0] ?? p.token, `bad --probability "${p.args[0]}"`);
      return { mode: "random", probability: storedProbability(v), neg: p.negated };
    }
    if (modeName === "nth") {
      const e = m.get("every");
      if (!e) ctx.reject("statistic: --every is required in nth mode");
      const every = uintArg(e, ctx);
      if (every === 0) ctx.fail(e.argTokens[0] ?? e.token, "--every must be > 0");
      const pk = m.get("packet");
      if (!pk) ctx.fail(e.token, `statistic: option "--every" also requires "--packet".`);
      const packet = uintArg(pk, ctx);
      if (packet > every - 1) ctx.fail(pk!.argTokens[0] ?? pk!.token, "--packet must be between 0 and every - 1");
      return { mode: "nth", every, packet, neg: e.negated };
    }
    ctx.fail(mode.argTokens[0] ?? mode.token, `Bad mode "${modeName}"`);
  },
  save(d) {
    return d.mode === "random"
      ? `--mode random ${bang(d.neg)}--probability ${printProbability(d.probability)}`
      : `--mode nth ${bang(d.neg)}--every ${d.every} --packet ${d.packet}`;
  },
  // libxt_statistic print_match: "packet P" only when P is not 0
  list(d) {
    return d.mode === "random"
      ? `statistic mode random ${bang(d.neg)}probability ${printProbability(d.probability)}`
      : `statistic mode nth ${bang(d.neg)}every ${d.every}${d.packet ? ` packet ${d.packet}` : ""}`;
  },
  effects: (d) => (d.mode === "random" ? "draws-random" : "keeps-state"),
  test(d, env) {
    if (d.mode === "random") {
      const draw = env.rng.u32() & 0x7fffffff;
      const ok = draw < d.probability;
      return ok !== d.neg ? null : new Missed(() => [`--probability ${printProbability(d.probability)}`, `random draw ${(draw / 0x80000000).toFixed(4)} ≥ ${printProbability(d.probability)}`]);
    }
    // Linux: userspace stores every-1 and starts the counter at every-1-packet; the kernel
    // counts up and matches when it wraps to 0 — so packets packet, packet+every, ... match
    // (measured: --every 2 --packet 0 matches the 1st, 3rd, 5th packet)
    let count = (env.store.get(d) as number | undefined) ?? d.every - 1 - d.packet;
    count = count === d.every - 1 ? 0 : count + 1;
    env.store.set(d, count);
    const ok = count === 0;
    return ok !== d.neg ? null : { clause: `--every ${d.every}`, why: `packet counter at ${count}` };
  },
};
export default statistic;
