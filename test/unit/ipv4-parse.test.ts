// The address parsers read characters, not regexes (a 400,000-rule load reads one or two addresses
// a rule). This compares them with the plain regex reading they replaced, on random and edge texts.
import { describe, expect, it } from "vitest";
import ipaddr from "ipaddr.js";
import { parseCidr, parseCidrLoose, parseIp, parseIpLoose, formatIp } from "../../src/engine/model/ipv4.js";

function refParseIp(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m) {
    const [a, b, c, d] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!];
    return a < 256 && b < 256 && c < 256 && d < 256 ? ((a << 24) | (b << 16) | (c << 8) | d) >>> 0 : undefined;
  }
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  const o = ipaddr.IPv4.parse(text).octets;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}
function refParseIpLoose(text: string): number | undefined {
  if (text === "localhost") return 0x7f000001;
  if (!/^\d{1,3}(\.\d{1,3}){0,3}$/.test(text)) return undefined;
  const parts = text.split(".").map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  while (parts.length < 4) parts.push(0);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}
function refMask(m: string): number | undefined {
  if (/^\d{1,2}$/.test(m)) return Number(m) > 32 ? undefined : Number(m) === 0 ? 0 : (0xffffffff << (32 - Number(m))) >>> 0;
  return refParseIp(m);
}
function refCidr(text: string, loose: boolean) {
  const slash = text.indexOf("/");
  const ip = (loose ? refParseIpLoose : refParseIp)(slash < 0 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  const mask = slash < 0 ? 0xffffffff : refMask(text.slice(slash + 1));
  if (mask === undefined) return undefined;
  let prefix = 0;
  while (prefix < 32 && (mask & (0x80000000 >>> prefix)) !== 0) prefix++;
  const contiguous = (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0) === mask >>> 0;
  return { addr: (ip & mask) >>> 0, mask: mask >>> 0, prefix: contiguous ? prefix : -1 };
}

/** A small seeded generator (xorshift) so a failure can be replayed. */
function texts(seed: number, n: number): string[] {
  let x = seed;
  const r = (k: number) => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) % k;
  };
  const alphabet = "0123456789.../ x-";
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (r(2)) {
      // address-shaped: 1–5 parts of 0–4 digits, maybe a mask
      const parts = Array.from({ length: 1 + r(5) }, () => Array.from({ length: r(5) }, () => "0123456789"[r(10)]).join(""));
      const mask = r(3) === 0 ? "" : r(2) ? `/${r(40)}` : `/${[r(300), r(300), r(300), r(300)].join(".")}`;
      out.push(parts.join(".") + mask);
    } else out.push(Array.from({ length: r(18) }, () => alphabet[r(alphabet.length)]).join(""));
  }
  return out;
}

const edges = ["", ".", "1.", ".1", "1..2", "1.2.3.4", "1.2.3.4.", "255.255.255.255", "256.1.1.1", "1.2.3.4.5", "0", "10", "10.1", "10.1.2", "0001.1.1.1", "010.1.1.1",
  "1.2.3.4/", "1.2.3.4/0", "1.2.3.4/32", "1.2.3.4/33", "1.2.3.4/008", "1.2.3.4/255.255.0.0", "1.2.3.4/255.0.255.0", "10.0.0.0/8", "localhost", "localhost/8", "1.2.3.4/ 8", " 1.2.3.4", "1.2.3.4 ", "9.9.9.9999"];

describe("IPv4 text parsers", () => {
  const all = [...edges, ...texts(7, 20000), ...texts(91, 20000)];
  it("parseIp and parseIpLoose read what the regex reading read", () => {
    for (const t of all) {
      expect([t, parseIp(t)]).toEqual([t, refParseIp(t)]);
      expect([t, parseIpLoose(t)]).toEqual([t, refParseIpLoose(t)]);
    }
  });
  it("parseCidr and parseCidrLoose give the same network, mask and prefix", () => {
    for (const t of all) {
      expect([t, parseCidr(t)]).toEqual([t, refCidr(t, false)]);
      expect([t, parseCidrLoose(t)]).toEqual([t, refCidr(t, true)]);
    }
  });
  it("a loose address pads missing octets with zeros", () => {
    expect(formatIp(parseIpLoose("10.1")!)).toBe("10.1.0.0");
    expect(parseCidrLoose("10.1/16")).toEqual({ addr: 0x0a010000, mask: 0xffff0000, prefix: 16 });
  });
});
