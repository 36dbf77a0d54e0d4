/**
 * -j NOTRACK: the old spelling of `-j CT --notrack` (raw table).
 *
 * Why: older rulesets still carry it. Linux: xt_CT.c notrack_tg.
 */
import type { TargetModule } from "../types.js";

const NOTRACK: TargetModule<Record<string, never>> = {
  kind: "target",
  usesConntrack: true,
  // iptables-nft loads NOTRACK as an alias of CT: the target column says CT (measured)
  listName: "CT",
  name: "NOTRACK",
  help: "do not track this packet (raw table)",
  tables: ["raw"],
  options: [],
  build: () => ({}),
  save: () => "",
  list: () => "NOTRACK", // listed with target "CT": iptables-nft loads NOTRACK as CT's alias
  apply(_d, env) {
    env.notrack();
    return "continue";
  },
};
export default NOTRACK;
