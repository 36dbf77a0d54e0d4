/**
 * A routing decision as `ip route get` prints it.
 *
 * Why: `route get`, explain output and the lessons quote iproute2's own words; the engine
 * returns the decision as data (src/engine/route/lookup.ts) and formats nothing.
 */
import { formatIp } from "../engine/model/ipv4.js";
import { tableName } from "../engine/model/node.js";
import type { RouteQuery, RouteResult } from "../engine/route/lookup.js";

/**
 * The first line `ip route get` prints (without "uid 0" and the cache line), as measured on 6.18:
 * a lookup for an arriving packet (iif) says "from SRC" and never src, and local delivery is
 * "dev lo"; the local table is named only when the node has policy rules of its own.
 */
export function describeRoute(q: RouteQuery, r: RouteResult): string {
  const dst = formatIp(q.dst);
  const input = q.iif !== undefined && q.iif !== "lo";
  switch (r.outcome) {
    case "local":
    case "unicast":
    case "broadcast":
    case "multicast": {
      const parts = [r.outcome === "unicast" ? dst : `${r.outcome} ${dst}`];
      if (q.src) parts.push(`from ${formatIp(q.src)}`);
      if (r.via !== undefined) parts.push(`via ${formatIp(r.via)}`);
      const delivered = r.outcome === "local" || (input && r.outcome !== "unicast");
      const dev = delivered ? "lo" : r.dev;
      if (dev) parts.push(`dev ${dev}`);
      if (r.table !== undefined && r.table !== 254 && (r.table !== 255 || r.customRules)) parts.push(`table ${tableName(r.table)}`);
      const src = r.outcome === "local" ? (r.src ?? q.dst) : r.src;
      if (!input && !q.src && src !== undefined) parts.push(`src ${formatIp(src)}`);
      if (q.mark) parts.push(`mark ${q.mark < 16 ? q.mark : `0x${q.mark.toString(16)}`}`); // as iproute2 prints it
      return parts.join(" ");
    }
    case "no-route":
      return `RTNETLINK answers: Network is unreachable`;
    case "unreachable":
      return `RTNETLINK answers: No route to host`;
    case "prohibit":
      return `RTNETLINK answers: Permission denied`;
    case "blackhole":
    case "mc-not-joined":
      return `RTNETLINK answers: Invalid argument`;
  }
}

/** What a routing event decided: "why: ip route get DST [from SRC iif IF] [mark M] → route". */
export function routeEventText(why: "output" | "reroute" | "input", q: RouteQuery, r: RouteResult): string {
  const what = why === "reroute" ? "reroute (destination/mark changed)" : why === "input" ? "routing decision" : "route";
  const from = q.iif ? ` from ${formatIp(q.src ?? 0)} iif ${q.iif}` : q.src ? ` from ${formatIp(q.src)}` : "";
  return `${what}: ip route get ${formatIp(q.dst)}${from}${q.mark ? ` mark 0x${q.mark.toString(16)}` : ""} → ${describeRoute(q, r)}`;
}
