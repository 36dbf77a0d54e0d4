/**
 * -j CONNMARK: set, save (packet -> connection) or restore (connection -> packet) marks.
 *
 * Why: the usual way to make a decision stick to a whole connection (Calico, Docker, policy
 * routing by mark). Linux: xt_connmark.c connmark_tg (revision 1/2).
 */
import type { TargetModule, BuildCtx, OptionUse } from "../types.js";
import { hex, parseValueMask, uniqueUses } from "../util.js";
import { applyXMark, buildXMark, listXMark, MARK_OPTIONS, type XMark } from "./MARK.js";

type CmData = { mode: "set"; x: XMark } | { mode: "save" | "restore"; nfmask: number; ctmask: number };

const CONNMARK: TargetModule<CmData> = {
  kind: "target",
  usesConntrack: true,
  name: "CONNMARK",
  help: "--set-xmark v/m | --save-mark [--nfmask m --ctmask m] | --restore-mark [...]",
  options: [
    ...MARK_OPTIONS,
    { name: "save-mark", args: 0 },
    { name: "restore-mark", args: 0 },
    { name: "mask" },
    { name: "nfmask" },
    { name: "ctmask" },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const mode = m.has("save-mark") ? "save" : m.has("restore-mark") ? "restore" : "set";
    if (mode === "set") {
      return { mode, x: buildXMark(uses.filter((u) => !["mask", "nfmask", "ctmask"].includes(u.name)), ctx, "CONNMARK") };
    }
    const mask = m.get("mask");
    const all = mask ? parseValueMask(mask, ctx).value : 0xffffffff;
    const nf = m.get("nfmask");
    const ct = m.get("ctmask");
    return { mode, nfmask: nf ? parseValueMask(nf, ctx).value : all, ctmask: ct ? parseValueMask(ct, ctx).value : all };
  },
  save(d) {
    if (d.mode === "set") return `--set-xmark ${hex(d.x.value)}/${hex(d.x.mask)}`;
    return `--${d.mode}-mark --nfmask ${hex(d.nfmask)} --ctmask ${hex(d.ctmask)}`;
  },
  // libxt_CONNMARK connmark_tg_print
  list(d) {
    if (d.mode === "set") return `CONNMARK ${listXMark(d.x)}`;
    const full = 0xffffffff;
    if (d.mode === "save") {
      if (d.nfmask === full && d.ctmask === full) return "CONNMARK save";
      if (d.nfmask === d.ctmask) return `CONNMARK save mask ${hex(d.nfmask)}`;
      return `CONNMARK save nfmask ${hex(d.nfmask)} ctmask ~${hex(d.ctmask)}`;
    }
    if (d.nfmask === full && d.ctmask === full) return "CONNMARK restore";
    if (d.nfmask === d.ctmask) return `CONNMARK restore mask ${hex(d.ctmask)}`;
    return `CONNMARK restore ctmask ${hex(d.ctmask)} nfmask ~${hex(d.nfmask)}`;
  },
  apply(d, env) {
    const e = env.ct?.entry;
    if (!e) return "continue";
    if (d.mode === "set") e.mark = applyXMark(e.mark, d.x);
    else if (d.mode === "save") e.mark = ((e.mark & ~d.ctmask) ^ (env.pkt.mark & d.nfmask)) >>> 0;
    else env.pkt.mark = ((env.pkt.mark & ~d.nfmask) ^ (e.mark & d.ctmask)) >>> 0;
    return "continue";
  },
};
export default CONNMARK;
