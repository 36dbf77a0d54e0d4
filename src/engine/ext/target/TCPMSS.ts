/**
 * -j TCPMSS: rewrite the MSS option of SYNs (mangle).
 *
 * Why: overlays (VXLAN, WireGuard) clamp MSS to the smaller path MTU. Linux: xt_TCPMSS.c.
 */
import type { TargetModule, BuildCtx, OptionUse } from "../types.js";
import { uintArg, uniqueUses } from "../util.js";
import type { Hook } from "../../walk/hooks.js";

const TCPMSS: TargetModule<{ clamp: boolean; mss?: number }> = {
  kind: "target",
  name: "TCPMSS",
  help: "--set-mss N | --clamp-mss-to-pmtu (needs -p tcp and SYN)",
  options: [{ name: "set-mss" }, { name: "clamp-mss-to-pmtu", args: 0 }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    if (m.size !== 1) ctx.reject("TCPMSS target: exactly one of --set-mss or --clamp-mss-to-pmtu is required");
    if (ctx.proto !== 6) ctx.kernelReject("TCPMSS only works on TCP packets: the rule needs -p tcp");
    return m.has("set-mss") ? { clamp: false, mss: uintArg(m.get("set-mss")!, ctx, 65535) } : { clamp: true };
  },
  save: (d) => (d.clamp ? "--clamp-mss-to-pmtu" : `--set-mss ${d.mss}`),
  list: (d) => (d.clamp ? "TCPMSS clamp to PMTU" : `TCPMSS set ${d.mss}`),
  // tcpmss_tg4_check: clamping to the path MTU needs a route, so not before routing (measured)
  allowedIn: (d, hook: Hook) => !d.clamp || (hook !== "PREROUTING" && hook !== "INPUT"),
  apply: () => "continue",
};
export default TCPMSS;
