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
  let minIp: number | undefined;
  let maxIp: number | undefined;
  if (ipPart) {
    // iptables names the half it could not read (measured: "1.1.1.1-2.2.2.2-3.3.3.3" is
    // Bad IP address "2.2.2.2-3.3.3.3", "1.1.1.1-" is Bad IP address "")
    const dash = ipPart.indexOf("-");
    const low = dash < 0 ? ipPart : ipPart.slice(0, dash);
    const high = dash < 0 ? low : ipPart.slice(dash + 1);
    minIp = parseIp(low);
    maxIp = dash < 0 ? minIp : parseIp(high);
    if (minIp === undefined || maxIp === undefined) ctx.fail(u.argTokens[0] ?? u.token, `Bad IP address "${minIp === undefined ? low : high}"`);
  }
  if (colon < 0) return ipPart ? { minIp, maxIp } : {};
  if (!allowPorts) ctx.fail(u.argTokens[0] ?? u.token, "Need TCP, UDP, SCTP or DCCP with port specification");
  const ports = parsePortsOnly(text.slice(colon + 1), u, ctx);
  return ipPart ? { minIp, maxIp, minPort: ports.minPort, maxPort: ports.maxPort } : ports;
}

/** A port number of one or more digits, up to 65535; -1 for anything else (a missing or empty part too). */
function portNumber(text: string | undefined): number {
  if (!text) return -1;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + c - 48;
    if (v > 65535) return -1;
  }
  return v;
}

export function parsePortsOnly(text: string, u: OptionUse, ctx: BuildCtx): NatRange {
  const dash = text.indexOf("-");
  const second = dash < 0 ? -1 : text.indexOf("-", dash + 1);
  // measured: "80-90-100" is refused with "Garbage after port range: `-100'"
  if (second >= 0) ctx.fail(u.argTokens[0] ?? u.token, `Garbage after port range: \`${text.slice(second)}'`);
  const minPort = portNumber(dash < 0 ? text : text.slice(0, dash));
  const maxPort = dash < 0 ? minPort : portNumber(text.slice(dash + 1));
  if (minPort < 0 || maxPort < 0 || minPort > maxPort) ctx.fail(u.argTokens[0] ?? u.token, `Port "${text}" not valid`);
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
