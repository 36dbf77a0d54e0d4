/**
 * The line `-j LOG` writes to the kernel log, field by field as nf_log_syslog prints an IPv4 packet.
 *
 * Why: a learner who adds a LOG rule compares ktrace's line with `dmesg` on a real node, so the
 * fields, their order, their spelling and the trailing space must be the kernel's.
 * Measured on Linux 6.18 (two namespaces and a veth pair, `dmesg` read back):
 *   IN= OUT=va SRC=10.9.0.1 DST=10.9.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=54628 DF PROTO=TCP
 *     SPT=43620 DPT=80 SEQ=763947120 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0 UID=0 GID=0 ␠
 *   IN=va OUT= MAC=da:6b:b8:11:0c:2b:1e:37:e1:bb:89:b9:08:00 SRC=… PROTO=UDP SPT=33929 DPT=53 LEN=13
 *   … PROTO=ICMP TYPE=8 CODE=0 ID=77 SEQ=1
 * The MAC header (destination, source, EtherType) is printed for a packet that came in on a
 * device (the hook has an input interface), decoded into MACSRC/MACDST/MACPROTO with
 * --log-macdecode. TOS and PREC are the low and high bits of the TOS byte; UID/GID only for a
 * packet a local socket sent, with --log-uid; MARK at the end when the packet has one; loopback's
 * MAC header all zeros (all measured: docs/kernel-notes/log-line.md).
 * Not modelled, because ktrace's packets do not carry them: the bytes of TCP and IP options
 * (--log-tcp-options, --log-ip-options print nothing) and the packet an ICMP error quotes (the
 * kernel prints it in brackets after TYPE/CODE; ktrace prints nothing there).
 */
import { TCP_FLAG_BIT, type Packet } from "../../model/packet.js";
import { formatIp } from "../../model/ipv4.js";

/** Linux nf_log_syslog: the flags in the order they are printed. */
const TCP_FLAGS_PRINTED = ["CWR", "ECE", "URG", "ACK", "PSH", "RST", "SYN", "FIN"] as const;

/** The IP header ktrace's packets have (no options): 20 bytes. */
const IP_HEADER = 20;

export interface LogOptions {
  prefix: string;
  tcpSequence: boolean;
  uid: boolean;
  macDecode: boolean;
}

const mac = (m: string) => m.split(":").map((b) => b.padStart(2, "0").toLowerCase());

function macHeader(p: Packet, inIf: string, decode: boolean): string {
  if (p.macSrc !== undefined && p.macDst !== undefined) {
    if (decode) return `MACSRC=${mac(p.macSrc).join(":")} MACDST=${mac(p.macDst).join(":")} MACPROTO=0800 `;
    return `MAC=${[...mac(p.macDst), ...mac(p.macSrc), "08", "00"].join(":")} `;
  }
  // loopback has an all-zero Ethernet header; a device without one (tun, wireguard) prints nothing after MAC=
  return inIf === "lo" ? "MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 " : "MAC= ";
}

function transport(p: Packet, o: LogOptions): string {
  switch (p.proto) {
    case "tcp": {
      const seq = o.tcpSequence ? `SEQ=${p.seq >>> 0} ACK=${p.ack >>> 0} ` : "";
      const flags = TCP_FLAGS_PRINTED.filter((f) => p.tcpFlags & TCP_FLAG_BIT[f]).map((f) => `${f} `).join("");
      return `PROTO=TCP SPT=${p.sport} DPT=${p.dport} ${seq}WINDOW=${p.win} RES=0x00 ${flags}URGP=0 `;
    }
    case "udp":
      return `PROTO=UDP SPT=${p.sport} DPT=${p.dport} LEN=${p.len - IP_HEADER} `;
    case "icmp": {
      const echo = p.icmpType === 0 || p.icmpType === 8 ? `ID=${p.sport} SEQ=${p.dport} ` : "";
      return `PROTO=ICMP TYPE=${p.icmpType} CODE=${p.icmpCode} ${echo}`;
    }
    case "sctp":
      return `PROTO=SCTP SPT=${p.sport} DPT=${p.dport} `;
  }
}

/** The whole line, as the hook with interfaces `inIf`/`outIf` logs packet `p`. */
export function logLine(p: Packet, inIf: string | undefined, outIf: string | undefined, o: LogOptions): string {
  let s = `${o.prefix}IN=${inIf ?? ""} OUT=${outIf ?? ""} `;
  if (inIf !== undefined) s += macHeader(p, inIf, o.macDecode);
  s += `SRC=${formatIp(p.src)} DST=${formatIp(p.dst)} LEN=${p.len} TOS=0x${hex2(p.tos & 0x1e)} PREC=0x${hex2(p.tos & 0xe0)} TTL=${p.ttl} ID=${p.id} `;
  if (p.df) s += "DF ";
  if (p.fragOffset) s += `FRAG:${p.fragOffset} `;
  // a non-first fragment has no transport header to show
  s += p.fragOffset ? `PROTO=${p.proto.toUpperCase()} ` : transport(p, o);
  if (o.uid && p.uid !== undefined && inIf === undefined) s += `UID=${p.uid} GID=${p.gid ?? 0} `;
  if (p.mark) s += `MARK=0x${p.mark.toString(16)} `;
  return s;
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");
