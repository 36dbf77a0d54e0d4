/**
 * -j NFLOG: hand a copy of the packet to a netlink log group and continue.
 *
 * Why: Calico logs policy drops with NFLOG (`--nflog-group 1 --nflog-prefix "DRP|..."`).
 * Linux: xt_NFLOG.c.
 */
import type { TargetModule, BuildCtx, OptionUse } from "../types.js";
import { saveString } from "../../parse/tokenize.js";
import { arg, uintArg, uniqueUses } from "../util.js";

interface NflogData {
  group: number;
  prefix?: string;
  range?: number;
  size?: number;
  threshold?: number;
}

const NFLOG: TargetModule<NflogData> = {
  kind: "target",
  name: "NFLOG",
  help: '[--nflog-group N] [--nflog-prefix "text"] [--nflog-size N] [--nflog-threshold N]',
  options: [{ name: "nflog-group" }, { name: "nflog-prefix" }, { name: "nflog-range" }, { name: "nflog-size" }, { name: "nflog-threshold" }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const g = m.get("nflog-group");
    const p = m.get("nflog-prefix");
    const d: NflogData = { group: g ? uintArg(g, ctx, 65535) : 0 };
    if (p) d.prefix = arg(p, ctx);
    const r = m.get("nflog-range");
    if (r) d.range = uintArg(r, ctx);
    const s = m.get("nflog-size");
    if (s) d.size = uintArg(s, ctx);
    const t = m.get("nflog-threshold");
    if (t) d.threshold = uintArg(t, ctx);
    return d;
  },
  save(d) {
    const p: string[] = [];
    if (d.prefix !== undefined) p.push(`--nflog-prefix ${saveString(d.prefix)}`);
    if (d.group) p.push(`--nflog-group ${d.group}`);
    if (d.size !== undefined) p.push(`--nflog-size ${d.size}`);
    if (d.threshold !== undefined) p.push(`--nflog-threshold ${d.threshold}`);
    return p.join(" ");
  },
  // libxt_NFLOG nflog_print: threshold only when not the default 1
  list(d) {
    const p: string[] = [];
    if (d.prefix) p.push(`nflog-prefix ${saveString(d.prefix)}`);
    if (d.group) p.push(`nflog-group ${d.group}`);
    if (d.size !== undefined) p.push(`nflog-size ${d.size}`);
    if (d.threshold !== undefined && d.threshold !== 1) p.push(`nflog-threshold ${d.threshold}`);
    return p.join(" ");
  },
  apply(d, env) {
    env.log("NFLOG", `group ${d.group}${d.prefix ? ` prefix "${d.prefix}"` : ""}`);
    return "continue";
  },
};
export default NFLOG;
