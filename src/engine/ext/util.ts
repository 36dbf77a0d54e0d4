/**
 * Small parsers and printers shared by extension modules: numbers, ports, marks, addresses.
 *
 * Why: iptables accepts "0x10", "16" and "0x10/0xff" in the same places and prints them back one
 * canonical way; doing that in one place keeps every module's save() byte-identical.
 */
import type { BuildCtx, MatchFail, OptionUse } from "./types.js";
import { parseCidr, type Cidr } from "../model/ipv4.js";

export const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

/**
 * A miss put into words only when someone reads it: `stats` and the trace never do, and a walk
 * tests thousands of rules. `words` must use values taken when the rule was tested (the packet
 * changes as it goes on).
 */
export class Missed implements MatchFail {
  #words?: readonly [clause: string, why: string];
  constructor(private readonly words: () => readonly [clause: string, why: string]) {}
  get clause(): string {
    return (this.#words ??= this.words())[0];
  }
  get why(): string {
    return (this.#words ??= this.words())[1];
  }
  toJSON(): MatchFail {
    return { clause: this.clause, why: this.why };
  }
}

export function arg(u: OptionUse, ctx: BuildCtx, i = 0): string {
  const a = u.args[i];
  if (a === undefined) ctx.fail(u.token, `option "--${u.name}" requires an argument`);
  return a;
}

/** strtoul(text, 0): hex with 0x, octal with a leading 0, else decimal. */
export function parseUint(text: string, max = 0xffffffff): number | undefined {
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) v = parseInt(text.slice(2), 16);
  else if (/^0[0-7]+$/.test(text)) v = parseInt(text.slice(1), 8);
  else if (/^\d+$/.test(text)) v = Number(text);
  else return undefined;
  return Number.isSafeInteger(v) && v >= 0 && v <= max ? v : undefined;
}

export function uintArg(u: OptionUse, ctx: BuildCtx, max = 0xffffffff, i = 0): number {
  const v = parseUint(arg(u, ctx, i), max);
  if (v === undefined) ctx.fail(u.argTokens[i] ?? u.token, `bad value "${u.args[i]}" for --${u.name}`);
  return v;
}

/** "value" or "value/mask"; mask defaults to 0xffffffff. */
export function parseValueMask(u: OptionUse, ctx: BuildCtx, i = 0): { value: number; mask: number } {
  const text = arg(u, ctx, i);
  const [v, m, extra] = text.split("/");
  const value = parseUint(v ?? "");
  const mask = m === undefined ? 0xffffffff : parseUint(m);
  if (value === undefined || mask === undefined || extra !== undefined) ctx.fail(u.argTokens[i] ?? u.token, `bad value "${text}" for --${u.name}`);
  return { value, mask };
}

export const SERVICES: Record<string, number> = {
  ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, http: 80, www: 80, pop3: 110, ntp: 123, imap: 143,
  snmp: 161, bgp: 179, https: 443, syslog: 514, submission: 587, imaps: 993, pop3s: 995, mysql: 3306,
  postgresql: 5432, kerberos: 88, ldap: 389, ldaps: 636, bootps: 67, bootpc: 68, tftp: 69,
};

export function parsePort(text: string): number | undefined {
  if (/^\d+$/.test(text)) {
    const v = Number(text);
    return v <= 65535 ? v : undefined;
  }
  return SERVICES[text];
}

export interface PortRange {
  min: number;
  max: number;
}

/** "80", "1000:2000", ":1024" (0:1024), "1024:" (1024:65535) */
export function parsePortRange(text: string): PortRange | undefined {
  const colon = text.indexOf(":");
  if (colon < 0) {
    const p = parsePort(text);
    return p === undefined ? undefined : { min: p, max: p };
  }
  const a = text.slice(0, colon);
  const b = text.slice(colon + 1);
  const min = a === "" ? 0 : parsePort(a);
  const max = b === "" ? 65535 : parsePort(b);
  if (min === undefined || max === undefined || min > max) return undefined;
  return { min, max };
}

export function portRangeArg(u: OptionUse, ctx: BuildCtx, i = 0): PortRange {
  const r = parsePortRange(arg(u, ctx, i));
  if (!r) ctx.fail(u.argTokens[i] ?? u.token, `invalid port/service "${u.args[i]}" specified`);
  return r;
}

/** iptables-nft drops a port clause covering 0:65535 (measured; negated too — the match is lost). */
export function fullRangeDropped(range: PortRange, neg: boolean): { range: PortRange; neg: boolean } | undefined {
  return range.min === 0 && range.max === 65535 ? undefined : { range, neg };
}

export function formatPortRange(r: PortRange): string {
  return r.min === r.max ? String(r.min) : `${r.min}:${r.max}`;
}

export function inRange(v: number, r: PortRange): boolean {
  return v >= r.min && v <= r.max;
}

export function cidrArg(u: OptionUse, ctx: BuildCtx, text = arg(u, ctx)): Cidr {
  const c = parseCidr(text);
  if (!c) ctx.fail(u.argTokens[0] ?? u.token, `host/network "${text}" not found`);
  return c;
}

/** "! " when negated: iptables-save puts the bang before the option. */
export const bang = (neg: boolean) => (neg ? "! " : "");

/** The single use of each option; a repeated option is an error, as in iptables. */
export function uniqueUses(uses: OptionUse[], ctx: BuildCtx): Map<string, OptionUse> {
  const m = new Map<string, OptionUse>();
  for (const u of uses) {
    if (m.has(u.name)) ctx.fail(u.token, `multiple --${u.name} options not allowed`);
    m.set(u.name, u);
  }
  return m;
}
