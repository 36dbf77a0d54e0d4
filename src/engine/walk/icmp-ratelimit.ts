/**
 * The per-destination limit on the ICMP errors the node sends (icmp_ratelimit, icmp_ratemask).
 *
 * Why: icmp_send — behind REJECT's ICMP answers and the stack's own time-exceeded — asks the
 * destination's inet_peer token bucket first: six at once, then one per icmp_ratelimit ms (1000 by
 * default) per destination. Measured: 13 time-exceeded triggers to one client (10, then 3 after
 * 1.05 s) produced 7 errors, and REJECT's port-unreachables that followed produced none: the bucket
 * is shared by every limited type. Fragmentation-needed is never limited, nor errors to ourselves,
 * and every destination has its own bucket (measured as well, test/kernel/icmp-ratelimit.test.ts).
 * The bucket runs on the simulated clock, like `limit` and `recent`.
 * Linux: icmpv4_xrlim_allow, inet_peer_xrlim_allow (XRLIM_BURST_FACTOR 6).
 */
import type { Packet } from "../model/packet.js";
import type { NodeModel } from "../model/node.js";
import type { StateStore } from "../ext/types.js";
import { addrType } from "../route/addr-type.js";
import { sysctlOf } from "../model/sysctls.js";

const BURST_FACTOR = 6;
const STORE_KEY = "icmp_send:peers";

interface Bucket {
  tokens: number;
  last: number;
}

/** Undefined when the error may go out; else why it is not sent. */
export function icmpRateLimited(node: NodeModel, store: StateStore, now: number, err: Packet): string | undefined {
  if (err.proto !== "icmp") return undefined;
  const mask = Number(sysctlOf(node, "net.ipv4.icmp_ratemask"));
  const timeout = Number(sysctlOf(node, "net.ipv4.icmp_ratelimit"));
  if (err.icmpType > 31 || !((mask >>> err.icmpType) & 1)) return undefined;
  if (err.icmpType === 3 && err.icmpCode === 4) return undefined; // path MTU discovery needs every one
  if (timeout <= 0 || addrType(node, err.dst) === "LOCAL") return undefined;
  let peers = store.get(STORE_KEY) as Map<number, Bucket> | undefined;
  if (!peers) store.set(STORE_KEY, (peers = new Map()));
  // a new peer starts as if last seen a minute ago: a full bucket
  const b = peers.get(err.dst) ?? { tokens: 0, last: now - 60_000 };
  b.tokens = Math.min(b.tokens + (now - b.last), BURST_FACTOR * timeout);
  b.last = now;
  peers.set(err.dst, b);
  if (b.tokens >= timeout) {
    b.tokens -= timeout;
    return undefined;
  }
  return `icmp_ratelimit: ${BURST_FACTOR} errors at once to one destination, then one per ${timeout} ms (the simulated clock moves with \`tick\`)`;
}
