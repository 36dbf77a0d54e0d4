/**
 * -j CHECKSUM: fill in a checksum left partial by offload (mangle).
 *
 * Why: DHCP on virtual bridges; it changes nothing ktrace models, but rulesets carry it.
 * Linux: xt_CHECKSUM.c.
 */
import type { TargetModule, BuildCtx, OptionUse } from "../types.js";

const CHECKSUM: TargetModule<Record<string, never>> = {
  kind: "target",
  name: "CHECKSUM",
  help: "--checksum-fill (mangle)",
  tables: ["mangle"],
  options: [{ name: "checksum-fill", args: 0 }],
  build: (uses: OptionUse[], ctx: BuildCtx) => {
    if (!uses.some((u) => u.name === "checksum-fill")) ctx.reject("CHECKSUM target: Parameter --checksum-fill is required");
    return {};
  },
  save: () => "--checksum-fill",
  list: () => "CHECKSUM fill",
  apply: () => "continue",
};
export default CHECKSUM;
