/**
 * Protocol names as iptables reads and prints them (from /etc/protocols on Debian).
 *
 * Why: `-p 6` is saved as `-p tcp`; an unknown number stays a number.
 */
export const PROTOCOLS: Record<string, number> = {
  all: 0, icmp: 1, igmp: 2, ipencap: 4, tcp: 6, egp: 8, udp: 17, ipv6: 41, gre: 47, esp: 50, ah: 51,
  "ipv6-icmp": 58, ospf: 89, ipip: 94, pim: 103, vrrp: 112, l2tp: 115, sctp: 132, udplite: 136, dccp: 33,
};

const BY_NUMBER = new Map(Object.entries(PROTOCOLS).filter(([n]) => n !== "ipip").map(([n, v]) => [v, n]));

const ALIASES: Record<string, number> = { icmpv6: 58, "ipv6-icmp": 58, ipencap: 4 };

export function parseProtocol(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower in ALIASES) return ALIASES[lower];
  if (lower in PROTOCOLS) return PROTOCOLS[lower];
  if (/^\d+$/.test(text) && Number(text) <= 255) return Number(text);
  return undefined;
}

export function protocolName(n: number): string {
  return BY_NUMBER.get(n) ?? String(n);
}
