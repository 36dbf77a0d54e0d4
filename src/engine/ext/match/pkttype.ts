/**
 * -m pkttype: link-layer packet type (unicast, broadcast, multicast).
 *
 * Why: Docker and some CNIs drop or allow broadcast explicitly. Linux: xt_pkttype.c — for
 * locally generated packets the type comes from the destination address.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { arg, bang, uniqueUses } from "../util.js";

type T = "unicast" | "broadcast" | "multicast" | "host" | "otherhost";
const pkttype: MatchModule<{ type: T; neg: boolean }> = {
  kind: "match",
  name: "pkttype",
  help: "--pkt-type unicast|broadcast|multicast",
  options: [{ name: "pkt-type", negatable: true }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const u = uniqueUses(uses, ctx).get("pkt-type");
    if (!u) ctx.reject("pkttype: --pkt-type is required");
    const t = arg(u, ctx).toLowerCase();
    if (!["unicast", "broadcast", "multicast", "host", "otherhost"].includes(t)) ctx.fail(u.argTokens[0] ?? u.token, `Bad packet type '${u.args[0]}'`);
    return { type: (t === "host" ? "unicast" : t) as T, neg: u.negated };
  },
  save: (d) => `${bang(d.neg)}--pkt-type ${d.type}`,
  list: (d) => `PKTTYPE ${d.neg ? "!=" : "="} ${d.type}`,
  test(d, { pkt }) {
    const actual = pkt.pktType;
    const ok = d.type === "host" ? actual === "unicast" : actual === d.type;
    return ok !== d.neg ? null : { clause: `--pkt-type ${d.type}`, why: `packet is ${actual}` };
  },
};
export default pkttype;
