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

/**
 * `parts` dotted decimal numbers of one to three digits each, at most 255, read from the text's
 * characters (`min` to 4 of them; missing octets are 0); undefined when the text is anything else.
 * The load of a 400,000-rule file reads an address or two per rule, so no regex and no split.
 */
function dotted(text: string, min: number): Ip | undefined {
  let ip = 0;
  let parts = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    let v = 0;
    let digits = 0;
    for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) {
      v = v * 10 + c - 48;
      if (++digits > 3) return undefined;
    }
    if (digits === 0 || v > 255 || parts === 4) return undefined;
    ip = ip * 256 + v;
    parts++;
    if (i < n && (text.charCodeAt(i) !== 46 || ++i === n)) return undefined; // "." and more to come
  }
  if (parts < min) return undefined;
  for (let k = parts; k < 4; k++) ip *= 256;
  return ip >>> 0;
}

export function parseIp(text: string): Ip | undefined {
  // fast path for the common form; anything else goes through ipaddr.js's validation
  const ip = dotted(text, 4);
  if (ip !== undefined) return ip;
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
  return dotted(text, 1);
}

/**
 * Why an address written as dotted numbers is not one, when one number is over 255: that number
 * and where it starts in the text ("10.43.156.300" → 300 at 10). Otherwise undefined.
 */
export function octetTooBig(text: string): { octet: string; at: number } | undefined {
  const head = /^[\d.]+/.exec(text)?.[0] ?? "";
  let at = 0;
  for (const part of head.split(".")) {
    if (/^\d+$/.test(part) && Number(part) > 255) return { octet: part, at };
    at += part.length + 1;
  }
  return undefined;
}

export function parseCidrLoose(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const ip = parseIpLoose(slash < 0 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  return withMask(ip, slash < 0 ? undefined : text.slice(slash + 1));
}

/** "10.0.0.0/8", "10.1.2.3" (= /32), "10.0.0.0/255.0.0.0"; host bits are cleared like iptables does. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (addr === undefined) return undefined;
  return withMask(addr, slash < 0 ? undefined : text.slice(slash + 1));
}

/** The network of `addr` under the mask written after the slash: a length (0–32) or a dotted mask. */
function withMask(addr: Ip, written: string | undefined): Cidr | undefined {
  let mask = 0xffffffff;
  if (written !== undefined) {
    const c0 = written.charCodeAt(0), c1 = written.charCodeAt(1);
    const isDigit = (c: number) => c >= 48 && c <= 57;
    if (isDigit(c0) && (written.length === 1 || (written.length === 2 && isDigit(c1)))) {
      const p = Number(written);
      if (p > 32) return undefined;
      mask = prefixToMask(p);
    } else {
      const m = parseIp(written);
      if (m === undefined) return undefined;
      mask = m;
    }
  }
  return { addr: (addr & mask) >>> 0, mask: mask >>> 0, prefix: maskToPrefix(mask) };
}

export function formatCidr(c: Cidr): string {
  return c.prefix >= 0 ? `${formatIp(c.addr)}/${c.prefix}` : `${formatIp(c.addr)}/${formatIp(c.mask)}`;
}

export function inCidr(ip: Ip, c: Cidr): boolean {
  return ((ip & c.mask) >>> 0) === c.addr;
}
