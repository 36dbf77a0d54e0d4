/**
 * -m state: the older spelling of `-m conntrack --ctstate` (no SNAT/DNAT pseudo-states).
 *
 * Why: Docker and many hand-written rulesets still use it. Linux: xt_state.c.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { bang, uniqueUses } from "../util.js";
import { STATE_BITS, formatBits, packetStateBits, parseBits } from "./conntrack.js";

const STATES = STATE_BITS.slice(0, 5);

const state: MatchModule<{ bits: number; neg: boolean }> = {
  kind: "match",
  usesConntrack: true,
  name: "state",
  help: "connection state: --state INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED",
  options: [{ name: "state", negatable: true }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const u = uniqueUses(uses, ctx).get("state");
    if (!u) ctx.reject("state: --state is required");
    return { bits: parseBits(u, ctx, STATES, "state"), neg: u.negated };
  },
  save: (d) => `${bang(d.neg)}--state ${formatBits(d.bits, STATES)}`,
  list: (d) => `${bang(d.neg)}state ${formatBits(d.bits, STATES)}`,
  test(d, env) {
    const bits = packetStateBits(env) & 31;
    const ok = (bits & d.bits) !== 0;
    return ok !== d.neg ? null : { clause: `${bang(d.neg)}--state ${formatBits(d.bits, STATES)}`, why: `state is ${formatBits(bits, STATES)}` };
  },
};
export default state;
