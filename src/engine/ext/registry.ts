/**
 * Every extension ktrace knows, by the name iptables uses for it.
 *
 * Why: the parser resolves `-m NAME` and `-j NAME` here; help and completion list from here; a
 * test checks that every module file in ext/ is registered.
 */
import type { AnyMatch, AnyTarget } from "./types.js";
import addrtype from "./match/addrtype.js";
import comment from "./match/comment.js";
import connmark from "./match/connmark.js";
import conntrack from "./match/conntrack.js";
import icmp from "./match/icmp.js";
import iprange from "./match/iprange.js";
import length from "./match/length.js";
import limit from "./match/limit.js";
import mac from "./match/mac.js";
import mark from "./match/mark.js";
import multiport from "./match/multiport.js";
import owner from "./match/owner.js";
import physdev from "./match/physdev.js";
import pkttype from "./match/pkttype.js";
import recent from "./match/recent.js";
import rpfilter from "./match/rpfilter.js";
import sctp from "./match/sctp.js";
import set from "./match/set.js";
import state from "./match/state.js";
import statistic from "./match/statistic.js";
import tcp from "./match/tcp.js";
import ttl from "./match/ttl.js";
import udp from "./match/udp.js";
import CHECKSUM from "./target/CHECKSUM.js";
import CONNMARK from "./target/CONNMARK.js";
import CT from "./target/CT.js";
import DNAT from "./target/DNAT.js";
import LOG from "./target/LOG.js";
import MARK from "./target/MARK.js";
import MASQUERADE from "./target/MASQUERADE.js";
import NFLOG from "./target/NFLOG.js";
import NOTRACK from "./target/NOTRACK.js";
import REDIRECT from "./target/REDIRECT.js";
import REJECT from "./target/REJECT.js";
import SNAT from "./target/SNAT.js";
import TCPMSS from "./target/TCPMSS.js";
import TRACE from "./target/TRACE.js";

export const MATCHES: ReadonlyMap<string, AnyMatch> = new Map(
  [addrtype, comment, connmark, conntrack, icmp, iprange, length, limit, mac, mark, multiport, owner, physdev, pkttype, recent, rpfilter, sctp, set, state, statistic, tcp, ttl, udp].map((m) => [m.name, m as AnyMatch]),
);

export const TARGETS: ReadonlyMap<string, AnyTarget> = new Map(
  [CHECKSUM, CONNMARK, CT, DNAT, LOG, MARK, MASQUERADE, NFLOG, NOTRACK, REDIRECT, REJECT, SNAT, TCPMSS, TRACE].map((t) => [t.name, t as AnyTarget]),
);

/** Targets iptables has that ktrace does not model: named as such in errors, not as missing chains. */
export const UNMODELED_TARGETS = new Set([
  "QUEUE", "NFQUEUE", "CLASSIFY", "DSCP", "TOS", "TTL", "TPROXY", "SET", "AUDIT", "SECMARK", "CONNSECMARK", "HMARK",
  "IDLETIMER", "LED", "NETMAP", "RATEEST", "SYNPROXY", "TEE", "CLUSTERIP", "ULOG", "ECN", "DNPT", "SNPT", "NFLOG6",
]);

/** Protocol matches iptables loads implicitly for `-p NAME --option`. */
export const PROTO_MATCH: Record<number, string> = { 6: "tcp", 17: "udp", 1: "icmp", 132: "sctp" };
