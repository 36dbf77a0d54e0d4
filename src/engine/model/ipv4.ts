/**
 * IPv4 addresses as unsigned 32-bit numbers.
 *
 * Why: every match, route lookup and NAT rewrite compares addresses and prefixes; doing that on
 * numbers keeps the hot path cheap and exact. Parsing and validation of the text forms is left to
 * ipaddr.js, which knows the corner cases (leading zeros, out-of-range octets).
 */
import ipaddr from "ipaddr.js";

export type Ip = number;

export interface Cidr {
  addr: Ip; // network address (host bits cleared, as iptables stores it)
  mask: Ip;
  prefix: number;
}

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIp(text: string): Ip | undefined {
  // fast path for the common form; anything else goes through ipaddr.js's validation
  const m = DOTTED.exec(text);
  if (m) {
    const a = +m[1]!, b = +m[2]!, c = +m[3]!, d = +m[4]!;
    if (a < 256 && b < 256 && c < 256 && d < 256) return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
    return undefined;
  }
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  const o = ipaddr.IPv4.parse(text).octets;
  return (((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0);
}

export function formatIp(ip: Ip): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

export function prefixToMask(prefix: number): Ip {
  return prefix === 0 ? 0 : ((0xffffffff << (32 - prefix)) >>> 0);
}

/** The prefix length of a contiguous mask, or -1 when the mask has holes. */
export function maskToPrefix(mask: Ip): number {
  let p = 0;
  while (p < 32 && (mask & (0x80000000 >>> p)) !== 0) p++;
  return prefixToMask(p) === mask >>> 0 ? p : -1;
}

/**
 * An address as iptables reads `-s`/`-d`: one to four dotted numbers, missing octets zero
 * ("10.1" = 10.1.0.0, "0" = 0.0.0.0), or "localhost". Measured: iptables-save prints `-s 10.1`
 * as 10.1.0.0/32.
 */
export function parseIpLoose(text: string): Ip | undefined {
  if (text === "localhost") return 0x7f000001;
  if (!/^\d{1,3}(\.\d{1,3}){0,3}$/.test(text)) return undefined;
  const parts = text.split(".").map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  while (parts.length < 4) parts.push(0);
  return (((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0);
}

export function parseCidrLoose(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const ip = parseIpLoose(slash < 0 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  return parseCidr(formatIp(ip) + (slash < 0 ? "" : text.slice(slash)));
}

/** "10.0.0.0/8", "10.1.2.3" (= /32), "10.0.0.0/255.0.0.0"; host bits are cleared like iptables does. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (addr === undefined) return undefined;
  let mask = 0xffffffff;
  if (slash >= 0) {
    const m = text.slice(slash + 1);
    if (/^\d{1,2}$/.test(m)) {
      const p = Number(m);
      if (p > 32) return undefined;
      mask = prefixToMask(p);
    } else {
      const dotted = parseIp(m);
      if (dotted === undefined) return undefined;
      mask = dotted;
    }
  }
  const prefix = maskToPrefix(mask);
  return { addr: (addr & mask) >>> 0, mask: mask >>> 0, prefix };
}

export function formatCidr(c: Cidr): string {
  return c.prefix >= 0 ? `${formatIp(c.addr)}/${c.prefix}` : `${formatIp(c.addr)}/${formatIp(c.mask)}`;
}

export function inCidr(ip: Ip, c: Cidr): boolean {
  return ((ip & c.mask) >>> 0) === c.addr;
}
