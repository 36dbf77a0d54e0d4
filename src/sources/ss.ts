/**
 * The listening TCP and UDP sockets, from `ss -Hlntu` output.
 *
 * Why: a packet delivered to a port nobody listens on is answered by the stack (a reset, an ICMP
 * port-unreachable) — a real packet that walks OUTPUT and POSTROUTING. Only a live host or its
 * snapshot knows its sockets; the canned node and bare rules files leave them unknown.
 * IPv6 wildcard sockets (`[::]:22`, `*:22`) take IPv4 too (bindv6only is 0 by default).
 */
import type { Listener } from "../engine/model/node.js";
import { parseIp } from "../engine/model/ipv4.js";

export class SsParseError extends Error {}

export function parseSs(text: string, file: string, firstLine = 1): Listener[] {
  const out: Listener[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    // Netid State Recv-Q Send-Q Local-Address:Port Peer-Address:Port [Process]
    const cols = line.trim().split(/\s+/);
    const proto = cols[0];
    const local = cols[4];
    if ((proto !== "tcp" && proto !== "udp") || !local) throw new SsParseError(`${file}:${firstLine + i}:1: expected a line of ss -Hlntu (tcp|udp STATE RECV-Q SEND-Q ADDRESS:PORT PEER), got "${line.trim()}"`);
    const colon = local.lastIndexOf(":");
    const port = Number(local.slice(colon + 1));
    let host = local.slice(0, colon).replace(/%.*$/, "").replace(/^\[(.*)\]$/, "$1");
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SsParseError(`${file}:${firstLine + i}:${line.indexOf(local) + 1}: bad port in "${local}"`);
    if (host.startsWith("::ffff:") && host.includes(".")) host = host.slice(7);
    if (host === "*" || host === "0.0.0.0" || host === "::") out.push({ proto, addr: 0, port });
    else {
      const ip = parseIp(host);
      if (ip !== undefined && ip !== null) out.push({ proto, addr: ip, port });
      // other IPv6 addresses never receive IPv4 packets
    }
  });
  return out;
}
