/**
 * -m icmp: ICMP type and code.
 *
 * Why: ping through a Service, and kube-proxy's REJECT paths. Linux: xt_tcpudp.c icmp_match;
 * type 255 ("any") matches every ICMP packet.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { arg, bang, uniqueUses } from "../util.js";

interface IcmpData {
  given: boolean;
  type: number;
  codeMin: number;
  codeMax: number;
  neg: boolean;
}

export const ICMP_NAMES: [string, number, number?][] = [
  ["any", 255], ["echo-reply", 0], ["pong", 0], ["destination-unreachable", 3], ["network-unreachable", 3, 0],
  ["host-unreachable", 3, 1], ["protocol-unreachable", 3, 2], ["port-unreachable", 3, 3], ["fragmentation-needed", 3, 4],
  ["source-route-failed", 3, 5], ["network-unknown", 3, 6], ["host-unknown", 3, 7], ["network-prohibited", 3, 9],
  ["host-prohibited", 3, 10], ["TOS-network-unreachable", 3, 11], ["TOS-host-unreachable", 3, 12],
  ["communication-prohibited", 3, 13], ["host-precedence-violation", 3, 14], ["precedence-cutoff", 3, 15],
  ["source-quench", 4], ["redirect", 5], ["echo-request", 8], ["ping", 8], ["router-advertisement", 9],
  ["router-solicitation", 10], ["time-exceeded", 11], ["ttl-exceeded", 11], ["parameter-problem", 12],
  ["timestamp-request", 13], ["timestamp-reply", 14], ["address-mask-request", 17], ["address-mask-reply", 18],
];

function parseIcmpType(text: string): Omit<IcmpData, "given"> | undefined {
  const named = ICMP_NAMES.find(([n]) => n.toLowerCase() === text.toLowerCase());
  if (named) {
    const [, type, code] = named;
    return code === undefined ? { type, codeMin: 0, codeMax: 255, neg: false } : { type, codeMin: code, codeMax: code, neg: false };
  }
  const m = /^(\d+)(?:\/(\d+))?$/.exec(text);
  if (!m) return undefined;
  const type = Number(m[1]);
  if (type > 255) return undefined;
  if (m[2] === undefined) return { type, codeMin: 0, codeMax: 255, neg: false };
  const code = Number(m[2]);
  return code > 255 ? undefined : { type, codeMin: code, codeMax: code, neg: false };
}

function fmt(d: Omit<IcmpData, "given">): string {
  if (d.type === 255) return "any";
  return d.codeMin === 0 && d.codeMax === 255 ? String(d.type) : `${d.type}/${d.codeMin}`;
}

const icmp: MatchModule<IcmpData> = {
  kind: "match",
  name: "icmp",
  help: "--icmp-type TYPE[/CODE] or a name (echo-request, port-unreachable...)",
  needsProto: [1],
  requiresOption: 'icmp: option "--icmp-type" must be specified',
  options: [{ name: "icmp-type", negatable: true }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const u = uniqueUses(uses, ctx).get("icmp-type");
    if (!u) return { given: false, type: 255, codeMin: 0, codeMax: 255, neg: false };
    const d = parseIcmpType(arg(u, ctx));
    if (!d) ctx.fail(u.argTokens[0] ?? u.token, `Invalid ICMP type \`${u.args[0]}'`);
    return { ...d, given: true, neg: u.negated };
  },
  save: (d) => (d.given ? `${bang(d.neg)}--icmp-type ${fmt(d)}` : ""),
  // libxt_icmp print_icmptype (numeric): "icmptype 8", "icmp !type 3 code 1", "any" as 255
  list(d) {
    let s = `icmp${d.neg ? " !" : ""}type ${d.type}`;
    if (d.codeMin === d.codeMax) s += ` code ${d.codeMin}`;
    else if (d.codeMin !== 0 || d.codeMax !== 255) s += ` codes ${d.codeMin}-${d.codeMax}`;
    return s;
  },
  test(d, { pkt }) {
    if (pkt.proto !== "icmp") return { clause: "-m icmp", why: `protocol is ${pkt.proto}` };
    const ok = d.type === 255 || (pkt.icmpType === d.type && pkt.icmpCode >= d.codeMin && pkt.icmpCode <= d.codeMax);
    return ok !== d.neg ? null : { clause: `${bang(d.neg)}--icmp-type ${fmt(d)}`, why: `type ${pkt.icmpType} code ${pkt.icmpCode}` };
  },
};
export default icmp;
