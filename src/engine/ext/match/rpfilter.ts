/**
 * -m rpfilter: reverse-path check — would a reply to the source leave by the interface the
 * packet came in on?
 *
 * Why: Calico's raw PREROUTING uses `-m rpfilter --validmark --invert -j DROP` against spoofing.
 * Linux: ipt_rpfilter.c — a FIB lookup with source and destination swapped.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { routeLookup } from "../../route/lookup.js";
import { uniqueUses } from "../util.js";
import type { Hook } from "../../walk/hooks.js";

interface RpData {
  loose: boolean;
  validmark: boolean;
  acceptLocal: boolean;
  invert: boolean;
}

const rpfilter: MatchModule<RpData> = {
  kind: "match",
  // xt_rpfilter registers for PREROUTING only
  allowedIn: (_d, hook: Hook) => hook === "PREROUTING",
  name: "rpfilter",
  help: "[--loose] [--validmark] [--accept-local] [--invert]",
  options: [
    { name: "loose", args: 0 },
    { name: "validmark", args: 0 },
    { name: "accept-local", args: 0 },
    { name: "invert", args: 0 },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    // rpfilter_check: only the raw and mangle tables (measured: filter refused)
    if (ctx.table !== "raw" && ctx.table !== "mangle") ctx.kernelReject(`rpfilter is only valid in the raw and mangle tables, not ${ctx.table}`);
    return { loose: m.has("loose"), validmark: m.has("validmark"), acceptLocal: m.has("accept-local"), invert: m.has("invert") };
  },
  save(d) {
    return [d.loose && "--loose", d.validmark && "--validmark", d.acceptLocal && "--accept-local", d.invert && "--invert"].filter(Boolean).join(" ");
  },
  list(d) {
    return ["rpfilter", d.loose && "loose", d.validmark && "validmark", d.acceptLocal && "accept-local", d.invert && "invert"].filter(Boolean).join(" ");
  },
  test(d, { pkt, node }) {
    let ok: boolean;
    if (pkt.iif === undefined || pkt.iif === "lo") ok = true;
    // Linux: rpfilter_mt — a 0.0.0.0 source (DHCP) to the limited broadcast or a local multicast
    // group always passes (measured: kernel scenario 44)
    else if (pkt.src === 0 && (pkt.dst === 0xffffffff || pkt.dst >>> 8 === 0xe00000)) ok = true;
    else {
      // Linux: rpfilter_lookup_reverse — an ordinary lookup of the source (as if from lo); a
      // local route counts only with --accept-local; then, unless --loose, the route's device must
      // be the input interface — for a local address too, the device it is configured on
      // (measured: kernel scenario 44)
      const r = routeLookup(node, { dst: pkt.src, src: pkt.dst, mark: d.validmark ? pkt.mark : 0 });
      const usable = r.outcome === "unicast" || (r.outcome === "local" && d.acceptLocal);
      const dev = r.outcome === "local" ? r.route?.dev : r.dev;
      ok = usable && (d.loose || dev === pkt.iif);
    }
    return ok !== d.invert ? null : { clause: `-m rpfilter${d.invert ? " --invert" : ""}`, why: ok ? "source is reachable via the input interface" : "reverse path fails" };
  },
};
export default rpfilter;
