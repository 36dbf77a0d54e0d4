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
    const ok = pkt.macSrc !== undefined && pkt.macSrc.toLowerCase() === d.mac;
    return ok !== d.neg ? null : { clause: `--mac-source ${d.mac}`, why: pkt.macSrc ? `source MAC is ${pkt.macSrc}` : "no MAC header (locally generated)" };
  },
};
export default mac;
