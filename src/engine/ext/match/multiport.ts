/**
 * -m multiport: up to 15 ports or ranges in one rule.
 *
 * Why: Calico and hand-written firewalls open port lists; kube-proxy uses it for NodePort ranges
 * on some versions. Linux: xt_multiport.c (revision 1, with ranges and negation).
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { arg, bang, formatPortRange, inRange, parsePortRange, uniqueUses, type PortRange } from "../util.js";

interface MpData {
  which: "sports" | "dports" | "ports";
  ranges: PortRange[];
  neg: boolean;
}

const multiport: MatchModule<MpData> = {
  kind: "match",
  name: "multiport",
  help: "--sports|--dports|--ports p1,p2,a:b (up to 15)",
  needsProto: [6, 17, 132, 33, 136],
  needsProtoError: `multiport needs "-p tcp", "-p udp", "-p udplite", "-p sctp" or "-p dccp"`,
  options: [
    { name: "sports", aliases: ["source-ports"], negatable: true },
    { name: "dports", aliases: ["destination-ports"], negatable: true },
    { name: "ports", negatable: true },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    if (m.size !== 1) ctx.reject("multiport: exactly one of --sports, --dports or --ports is required");
    const u = [...m.values()][0]!;
    const ranges: PortRange[] = [];
    let slots = 0;
    for (const part of arg(u, ctx).split(",")) {
      const [a, b] = part.split(":");
      if (a === "" || b === "") ctx.fail(u.argTokens[0] ?? u.token, `invalid port/service \`' specified`);
      const r = parsePortRange(part);
      if (!r) ctx.fail(u.argTokens[0] ?? u.token, `invalid port/service \`${part}' specified`);
      if (b !== undefined && r.min >= r.max) ctx.fail(u.argTokens[0] ?? u.token, "invalid portrange specified");
      ranges.push(r);
      slots += r.min === r.max ? 1 : 2;
    }
    if (slots > 15) ctx.fail(u.argTokens[0] ?? u.token, "too many ports specified");
    return { which: u.name as MpData["which"], ranges, neg: u.negated };
  },
  save: (d) => `${bang(d.neg)}--${d.which} ${d.ranges.map(formatPortRange).join(",")}`,
  // libxt_multiport __multiport_print_v1: "multiport dports " then " !" when negated
  list: (d) => `multiport ${d.which} ${d.neg ? " !" : ""}${d.ranges.map(formatPortRange).join(",")}`,
  test(d, { pkt }) {
    if (pkt.proto === "icmp") return { clause: "-m multiport", why: "packet has no ports" };
    const hit = (p: number) => d.ranges.some((r) => inRange(p, r));
    const ok = d.which === "sports" ? hit(pkt.sport) : d.which === "dports" ? hit(pkt.dport) : hit(pkt.sport) || hit(pkt.dport);
    if (ok !== d.neg) return null;
    const why = d.which === "sports" ? `sport is ${pkt.sport}` : d.which === "dports" ? `dport is ${pkt.dport}` : `ports are ${pkt.sport}/${pkt.dport}`;
    return { clause: `${bang(d.neg)}--${d.which} ${d.ranges.map(formatPortRange).join(",")}`, why };
  },
};
export default multiport;
