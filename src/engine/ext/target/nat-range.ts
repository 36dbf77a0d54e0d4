/**
 * The `ip[-ip][:port[-port]]` syntax shared by DNAT, SNAT, MASQUERADE and REDIRECT.
 *
 * Why: one parser and printer for every NAT target keeps their save() forms identical to
 * iptables' (libxt_DNAT.c/libxt_SNAT.c parse_to / print_range).
 */
import type { BuildCtx, NatRange, OptionUse } from "../types.js";
import { formatIp, parseIp } from "../../model/ipv4.js";
import { arg } from "../util.js";

export function parseNatTo(u: OptionUse, ctx: BuildCtx, allowPorts: boolean): NatRange {
  const text = arg(u, ctx);
  const colon = text.indexOf(":");
  const ipPart = colon < 0 ? text : text.slice(0, colon);
  const portPart = colon < 0 ? undefined : text.slice(colon + 1);
  const r: NatRange = {};
  if (ipPart) {
    const [a, b] = ipPart.split("-");
    const minIp = parseIp(a ?? "");
    const maxIp = b === undefined ? minIp : parseIp(b);
    if (minIp === undefined || maxIp === undefined) ctx.fail(u.argTokens[0] ?? u.token, `Bad IP address "${ipPart}"`);
    r.minIp = minIp;
    r.maxIp = maxIp;
  }
  if (portPart !== undefined) {
    if (!allowPorts) ctx.fail(u.argTokens[0] ?? u.token, "Need TCP, UDP, SCTP or DCCP with port specification");
    Object.assign(r, parsePortsOnly(portPart, u, ctx));
  }
  return r;
}

export function parsePortsOnly(text: string, u: OptionUse, ctx: BuildCtx): NatRange {
  const [a, b] = text.split("-");
  const minPort = Number(a);
  const maxPort = b === undefined ? minPort : Number(b);
  if (!/^\d+$/.test(a ?? "") || (b !== undefined && !/^\d+$/.test(b)) || minPort > 65535 || maxPort > 65535 || minPort > maxPort)
    ctx.fail(u.argTokens[0] ?? u.token, `Port "${text}" not valid`);
  return { minPort, maxPort };
}

/** `--to-ports p[-q]` of MASQUERADE and REDIRECT; it needs a protocol with ports on the rule. */
export function toPorts(m: Map<string, OptionUse>, ctx: BuildCtx): NatRange {
  const tp = m.get("to-ports");
  if (!tp) return {};
  if (!ruleHasPorts(ctx)) ctx.fail(tp.token, "Need TCP, UDP, SCTP or DCCP with port specification");
  return parsePortsOnly(arg(tp, ctx), tp, ctx);
}

export function formatNatTo(r: NatRange): string {
  let s = "";
  if (r.minIp !== undefined) s += formatIp(r.minIp) + (r.maxIp !== undefined && r.maxIp !== r.minIp ? `-${formatIp(r.maxIp)}` : "");
  if (r.minPort !== undefined) s += `:${r.minPort}` + (r.maxPort !== r.minPort ? `-${r.maxPort}` : "");
  return s;
}

export function formatPorts(r: NatRange): string {
  return `${r.minPort}` + (r.maxPort !== r.minPort ? `-${r.maxPort}` : "");
}

export function natFlags(r: NatRange, order: ("random" | "random-fully" | "persistent")[]): string {
  return order
    .filter((f) => (f === "random" ? r.random : f === "random-fully" ? r.randomFully : r.persistent))
    .map((f) => ` --${f}`)
    .join("");
}

/** The flags as `iptables -L` prints them after the range: " random random-fully persistent". */
export function listNatFlags(r: NatRange): string {
  return `${r.random ? " random" : ""}${r.randomFully ? " random-fully" : ""}${r.persistent ? " persistent" : ""}`;
}

/** Ports need a protocol with ports on the rule: -p tcp/udp/sctp/dccp. */
export function ruleHasPorts(ctx: BuildCtx): boolean {
  return !ctx.protoNegated && (ctx.proto === 6 || ctx.proto === 17 || ctx.proto === 132 || ctx.proto === 33);
}
