/**
 * -m sctp: SCTP ports.
 *
 * Why: kube-proxy writes `-p sctp -m sctp --dport N` for SCTP Service ports. Linux: xt_sctp.c.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { listPorts } from "./tcp.js";
import { fullRangeDropped, bang, formatPortRange, inRange, portRangeArg, uniqueUses, type PortRange } from "../util.js";

interface SctpData {
  sport?: { range: PortRange; neg: boolean };
  dport?: { range: PortRange; neg: boolean };
}

const sctp: MatchModule<SctpData> = {
  kind: "match",
  name: "sctp",
  help: "SCTP ports (needs -p sctp)",
  needsProto: [132],
  options: [
    { name: "sport", aliases: ["source-port"], negatable: true },
    { name: "dport", aliases: ["destination-port"], negatable: true },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const d: SctpData = {};
    const sp = m.get("sport");
    if (sp) d.sport = fullRangeDropped(portRangeArg(sp, ctx), sp.negated);
    const dp = m.get("dport");
    if (dp) d.dport = fullRangeDropped(portRangeArg(dp, ctx), dp.negated);
    return d;
  },
  save(d) {
    const parts: string[] = [];
    if (d.sport) parts.push(`${bang(d.sport.neg)}--sport ${formatPortRange(d.sport.range)}`);
    if (d.dport) parts.push(`${bang(d.dport.neg)}--dport ${formatPortRange(d.dport.range)}`);
    return parts.join(" ");
  },
  list: (d) => `sctp${listPorts("spt", d.sport)}${listPorts("dpt", d.dport)}`,
  test(d, { pkt }) {
    if (pkt.proto !== "sctp") return { clause: "-m sctp", why: `protocol is ${pkt.proto}` };
    if (d.sport && inRange(pkt.sport, d.sport.range) === d.sport.neg) return { clause: `--sport ${formatPortRange(d.sport.range)}`, why: `sport is ${pkt.sport}` };
    if (d.dport && inRange(pkt.dport, d.dport.range) === d.dport.neg) return { clause: `--dport ${formatPortRange(d.dport.range)}`, why: `dport is ${pkt.dport}` };
    return null;
  },
};
export default sctp;
