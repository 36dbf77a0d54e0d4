/**
 * -m limit: a token bucket (rate with burst), on the simulated clock.
 *
 * Why: LOG rules are usually rate-limited; a learner sees the 6th packet stop matching.
 * Linux: xt_limit.c — credits accrue per jiffy up to burst; each match costs one.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { arg, uintArg, uniqueUses } from "../util.js";

interface LimitData {
  perSecond: number; // packets per second (fractional)
  text: string; // as iptables-save prints the rate
  burst: number;
}

/** Linux/iptables: XT_LIMIT_SCALE; the kernel keeps the average interval, not the rate. */
const SCALE = 10000;
const RATES: [string, number][] = [["day", SCALE * 86400], ["hour", SCALE * 3600], ["min", SCALE * 60], ["sec", SCALE]];

function parseRate(text: string): { perSecond: number; text: string } | undefined {
  const m = /^(\d+)(?:\/(s|sec|second|m|min|minute|h|hour|d|day))?$/.exec(text);
  if (!m || Number(m[1]) === 0) return undefined;
  const unit = (m[2] ?? "s")[0]!;
  const mult = unit === "d" ? SCALE * 86400 : unit === "h" ? SCALE * 3600 : unit === "m" ? SCALE * 60 : SCALE;
  const avg = Math.floor(mult / Number(m[1]));
  if (avg === 0) return undefined;
  return { perSecond: SCALE / avg, text: printRate(avg) };
}

/** libxt_limit print_rate: the largest unit that shows the interval exactly enough. */
function printRate(period: number): string {
  let i = 1;
  for (; i < RATES.length; i++) {
    const mult = RATES[i]![1];
    if (period > mult || Math.floor(mult / period) < mult % period) break;
  }
  const [name, mult] = RATES[i - 1]!;
  return `${Math.floor(mult / period)}/${name}`;
}

const limit: MatchModule<LimitData> = {
  kind: "match",
  name: "limit",
  help: "--limit N/sec|min|hour|day [--limit-burst N]",
  options: [{ name: "limit" }, { name: "limit-burst" }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const l = m.get("limit");
    const rate = l ? parseRate(arg(l, ctx)) : { perSecond: 3 / 3600, text: "3/hour" };
    if (!rate) ctx.fail(l!.argTokens[0] ?? l!.token, /^\d+/.test(l!.args[0] ?? "") ? `Rate too fast "${l!.args[0]}"` : `bad rate "${l!.args[0]}"`);
    const b = m.get("limit-burst");
    return { ...rate, burst: b ? uintArg(b, ctx, 10000) : 5 };
  },
  save: (d) => `--limit ${d.text}${d.burst !== 5 ? ` --limit-burst ${d.burst}` : ""}`,
  list: (d) => `limit: avg ${d.text} burst ${d.burst}`,
  effects: () => "keeps-state",
  test(d, { now, store }) {
    const st = (store.get(d) as { credit: number; last: number } | undefined) ?? { credit: d.burst, last: now };
    st.credit = Math.min(d.burst, st.credit + ((now - st.last) / 1000) * d.perSecond);
    st.last = now;
    store.set(d, st);
    if (st.credit >= 1) {
      st.credit -= 1;
      return null;
    }
    return { clause: `--limit ${d.text}`, why: "rate exceeded (bucket empty)" };
  },
};
export default limit;
