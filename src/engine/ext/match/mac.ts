/**
 * -m mac: the Ethernet source address of an incoming packet.
 *
 * Why: pinning hosts on a LAN; only meaningful in PREROUTING/INPUT/FORWARD. Linux: xt_mac.c.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { arg, bang, uniqueUses } from "../util.js";
import type { Hook } from "../../walk/hooks.js";

const mac: MatchModule<{ mac: string; neg: boolean }> = {
  kind: "match",
  // xt_mac: the MAC header exists only for packets that arrived
  allowedIn: (_d, hook: Hook) => hook !== "OUTPUT" && hook !== "POSTROUTING",
  name: "mac",
  help: "--mac-source XX:XX:XX:XX:XX:XX",
  options: [{ name: "mac-source", negatable: true }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const u = uniqueUses(uses, ctx).get("mac-source");
    if (!u) ctx.reject("mac: --mac-source is required");
    const v = arg(u, ctx);
    if (!/^([0-9a-fA-F]{1,2}:){5}[0-9a-fA-F]{1,2}$/.test(v)) ctx.fail(u.argTokens[0] ?? u.token, `Bad mac address "${v}"`);
    return { mac: v.split(":").map((x) => x.padStart(2, "0").toLowerCase()).join(":"), neg: u.negated };
  },
  save: (d) => `${bang(d.neg)}--mac-source ${d.mac}`,
  list: (d) => `MAC ${bang(d.neg)}${d.mac}`,
  test(d, { pkt }) {
    const clause = `${bang(d.neg)}--mac-source ${d.mac}`;
    // Linux mac_mt returns false before it applies "!" when the device has no Ethernet header
    // (lo: measured, neither "--mac-source" nor "! --mac-source" ever matches on lo)
    if (pkt.macSrc === undefined) return { clause, why: pkt.iif ? `${pkt.iif} has no Ethernet header: mac never matches there, negated or not` : "no MAC header (locally generated)" };
    const ok = pkt.macSrc.toLowerCase() === d.mac;
    return ok !== d.neg ? null : { clause, why: `source MAC is ${pkt.macSrc}` };
  },
};
export default mac;
