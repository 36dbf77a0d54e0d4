/**
 * -j CT: set up conntrack for a packet before tracking starts (raw table): --notrack, --zone.
 *
 * Why: NOTRACK'd packets are UNTRACKED and skip NAT entirely — a classic surprise. Calico uses
 * `-j CT --notrack` for its untracked policies. Linux: xt_CT.c.
 */
import type { TargetModule, BuildCtx, OptionUse } from "../types.js";
import { arg, uintArg, uniqueUses } from "../util.js";

interface CtData {
  notrack: boolean;
  zone?: number;
  helper?: string;
}

const CT: TargetModule<CtData> = {
  kind: "target",
  usesConntrack: true,
  name: "CT",
  help: "--notrack | --zone N | --helper NAME",
  tables: ["raw"],
  options: [{ name: "notrack", args: 0 }, { name: "zone" }, { name: "helper" }, { name: "ctevents" }, { name: "expevents" }, { name: "timeout" }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const d: CtData = { notrack: m.has("notrack") };
    if (m.has("zone")) d.zone = uintArg(m.get("zone")!, ctx, 65535);
    if (m.has("helper")) d.helper = arg(m.get("helper")!, ctx);
    return d;
  },
  save(d) {
    const p: string[] = [];
    if (d.notrack) p.push("--notrack");
    if (d.helper) p.push(`--helper ${d.helper}`);
    if (d.zone !== undefined) p.push(`--zone ${d.zone}`);
    return p.join(" ");
  },
  // libxt_CT ct_print: zone 0 is not printed
  list(d) {
    let s = "CT";
    if (d.notrack) s += " notrack";
    if (d.helper) s += ` helper ${d.helper}`;
    if (d.zone) s += ` zone ${d.zone}`;
    return s;
  },
  apply(d, env) {
    if (d.notrack) env.notrack();
    else if (d.zone !== undefined) env.setZone(d.zone);
    return "continue";
  },
};
export default CT;
