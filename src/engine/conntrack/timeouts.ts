/**
 * Conntrack's timeouts, as the node sets them: the nf_conntrack_*_timeout* sysctls, with the
 * kernel's defaults where the node does not say.
 *
 * Why: how long a connection is remembered decides whether a later packet is ESTABLISHED or NEW
 * again (and so whether nat runs again and may pick another endpoint). Nodes tune these — a
 * short UDP timeout is common — so a snapshot, live mode or a scenario file carries them.
 * Linux: nf_conntrack_proto_tcp.c tcp_timeouts[], nf_conntrack_proto_udp.c udp_timeouts[],
 * nf_conntrack_proto_icmp.c, nf_conntrack_proto_sctp.c; values in seconds.
 */
export interface CtTimeouts {
  tcp: Record<string, number>; // by TCP conntrack state
  tcpMaxRetrans: number;
  tcpUnacknowledged: number;
  udp: number;
  udpStream: number;
  icmp: number;
  sctp: number;
  generic: number;
}

/** The kernel's defaults (net.netfilter.nf_conntrack_*). */
export const DEFAULT_TIMEOUTS: CtTimeouts = {
  tcp: { SYN_SENT: 120, SYN_RECV: 60, ESTABLISHED: 432000, FIN_WAIT: 120, CLOSE_WAIT: 60, LAST_ACK: 30, TIME_WAIT: 120, CLOSE: 10, SYN_SENT2: 120 },
  tcpMaxRetrans: 300,
  tcpUnacknowledged: 300,
  udp: 30,
  udpStream: 120,
  icmp: 30,
  sctp: 210, // SCTP ESTABLISHED; ktrace does not model SCTP states
  generic: 600,
};

const P = "net.netfilter.nf_conntrack_";

/** Every sysctl this module reads (live mode and snapshots read exactly these). */
export const TIMEOUT_SYSCTLS: string[] = [
  ...["syn_sent", "syn_recv", "established", "fin_wait", "close_wait", "last_ack", "time_wait", "close", "max_retrans", "unacknowledged"].map((s) => `${P}tcp_timeout_${s}`),
  `${P}udp_timeout`,
  `${P}udp_timeout_stream`,
  `${P}icmp_timeout`,
  `${P}sctp_timeout_established`,
  `${P}generic_timeout`,
];

/** The node's timeouts; a missing or unreadable value keeps the kernel's default. */
export function timeoutsFromSysctl(sysctl: Record<string, string>): CtTimeouts {
  const get = (key: string, dflt: number) => {
    const v = sysctl[P + key];
    return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : dflt;
  };
  const d = DEFAULT_TIMEOUTS;
  const tcp = { ...d.tcp };
  for (const [state, key] of [["SYN_SENT", "syn_sent"], ["SYN_RECV", "syn_recv"], ["ESTABLISHED", "established"], ["FIN_WAIT", "fin_wait"], ["CLOSE_WAIT", "close_wait"], ["LAST_ACK", "last_ack"], ["TIME_WAIT", "time_wait"], ["CLOSE", "close"]] as const)
    tcp[state] = get(`tcp_timeout_${key}`, d.tcp[state]!);
  // SYN_SENT2 (simultaneous open) shares syn_sent's sysctl
  tcp.SYN_SENT2 = tcp.SYN_SENT!;
  return {
    tcp,
    tcpMaxRetrans: get("tcp_timeout_max_retrans", d.tcpMaxRetrans),
    tcpUnacknowledged: get("tcp_timeout_unacknowledged", d.tcpUnacknowledged),
    udp: get("udp_timeout", d.udp),
    udpStream: get("udp_timeout_stream", d.udpStream),
    icmp: get("icmp_timeout", d.icmp),
    sctp: get("sctp_timeout_established", d.sctp),
    generic: get("generic_timeout", d.generic),
  };
}

/** The kernel's default value of each timeout sysctl, by name (what `sysctl` shows on a fresh node). */
export function defaultTimeoutSysctls(): Record<string, string> {
  const d = DEFAULT_TIMEOUTS;
  const out: Record<string, string> = {};
  for (const name of TIMEOUT_SYSCTLS) {
    const key = name.slice(P.length);
    const state = /^tcp_timeout_(\w+)$/.exec(key)?.[1];
    const v =
      key === "tcp_timeout_max_retrans" ? d.tcpMaxRetrans
      : key === "tcp_timeout_unacknowledged" ? d.tcpUnacknowledged
      : state ? d.tcp[state.toUpperCase()]
      : key === "udp_timeout" ? d.udp
      : key === "udp_timeout_stream" ? d.udpStream
      : key === "icmp_timeout" ? d.icmp
      : key === "sctp_timeout_established" ? d.sctp
      : d.generic;
    out[name] = String(v);
  }
  return out;
}
