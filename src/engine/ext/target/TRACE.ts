/**
 * -j TRACE: from here on, report every rule this packet hits (raw table only).
 *
 * Why: it is how the article's author saw the walk. The trace begins *after* this rule, so
 * earlier rules — even in the same chain — never show in xtables-monitor; ktrace's explain mode
 * shows them anyway, marked as hidden. Linux: xt_TRACE.c sets skb->nf_trace.
 */
import type { TargetModule } from "../types.js";

const TRACE: TargetModule<Record<string, never>> = {
  kind: "target",
  name: "TRACE",
  help: "start tracing this packet (raw table)",
  options: [],
  build: () => ({}),
  save: () => "",
  list: () => "",
  apply(_d, env) {
    env.pkt.nfTrace = true;
    return "continue";
  },
};
export default TRACE;
