/**
 * -m udp: source/destination ports.
 *
 * Why: DNS Services (kube-dns on 53/udp) and VXLAN are udp; kube-proxy writes `-p udp -m udp`.
 * Linux: xt_tcpudp.c udp_mt.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { listPorts } from "./tcp.js";
import { fullRangeDropped, bang, formatPortRange, inRange, portRangeArg, uniqueUses, type PortRange } from "../util.js";

interface UdpData {
  sport?: { range: PortRange; neg: boolean };
  dport?: { range: PortRange; neg: boolean };
}

const udp: MatchModule<UdpData> = {
  kind: "match",
  name: "udp",
  help: "UDP ports (needs -p udp)",
  needsProto: [17],
  options: [
    { name: "sport", aliases: ["source-port"], negatable: true, help: "source port or range a:b" },
    { name: "dport", aliases: ["destination-port"], negatable: true, help: "destination port or range a:b" },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const d: UdpData = {};
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
  list: (d) => `udp${listPorts("spt", d.sport)}${listPorts("dpt", d.dport)}`,
  test(d, { pkt }) {
    if (pkt.proto !== "udp") return { clause: "-m udp", why: `protocol is ${pkt.proto}` };
    if (pkt.fragOffset) return { clause: "-m udp", why: "non-first fragment" };
    if (d.sport && inRange(pkt.sport, d.sport.range) === d.sport.neg)
      return { clause: `${bang(d.sport.neg)}--sport ${formatPortRange(d.sport.range)}`, why: `sport is ${pkt.sport}` };
    if (d.dport && inRange(pkt.dport, d.dport.range) === d.dport.neg)
      return { clause: `${bang(d.dport.neg)}--dport ${formatPortRange(d.dport.range)}`, why: `dport is ${pkt.dport}` };
    return null;
  },
};
export default udp;
