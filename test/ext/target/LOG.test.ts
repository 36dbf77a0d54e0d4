// -j LOG vectors (kernel: xt_LOG.c log_tg -> nf_log_syslog.c nf_log_ip_packet: the prefix, then
// "IN=… OUT=… ", the MAC header of an arrived packet ("MAC=dst:src:type "), then
// "SRC=… DST=… LEN=… TOS=0x.. PREC=0x.. TTL=… ID=… [DF ]PROTO=…"; the target returns XT_CONTINUE
// and is allowed in every table and hook).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const IN = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";
const OUT = "tcp 192.168.1.88:40000 -> 192.168.1.20:80";

describe("-j LOG", () => {
  vectors([
    { name: "continues and logs the interfaces and addresses", chain: "OUTPUT", rule: "-j LOG", packet: OUT,
      expect: { verdict: "CONTINUE", log: /^IN= OUT=enp3s0 SRC=192\.168\.1\.88 DST=192\.168\.1\.20/, fate: { kind: "sent", iface: "enp3s0" } } },
    { name: "the prefix comes first, as given", chain: "OUTPUT", rule: '-j LOG --log-prefix "DROP: "', packet: OUT, expect: { log: /^DROP: IN= OUT=enp3s0 / } },
    { name: "an arriving packet: IN set, OUT empty", chain: "INPUT", rule: "-j LOG --log-prefix in:", packet: IN, expect: { log: /^in:IN=enp3s0 OUT= / } },
    { name: "a forwarded packet: both interfaces", chain: "FORWARD", rule: "-j LOG", packet: "tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0",
      expect: { log: /^IN=enp3s0 OUT=vxlan\.calico / } },
    { name: "the packet is logged as it is at the rule (after DNAT in nat OUTPUT)", chain: "OUTPUT", rule: "-j LOG",
      extra: "*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -d 10.43.0.10/32 -p tcp -j DNAT --to-destination 192.168.1.20:80\nCOMMIT\n",
      packet: "tcp 192.168.1.88:40000 -> 10.43.0.10:80", expect: { verdict: "CONTINUE", log: /DST=192\.168\.1\.20/ } },
    { name: "a level and flags change nothing in the walk", table: "mangle", chain: "PREROUTING", rule: "-j LOG --log-level 7 --log-tcp-sequence --log-uid", packet: IN, expect: { verdict: "CONTINUE" } },
    // the fields and their order as measured on Linux 6.18 (dmesg, nf_log_all_netns; see log-line.ts)
    {
      name: "the line goes on with LEN, TOS, PREC, TTL, ID, DF, the ports, window, flags and URGP, with a trailing space",
      chain: "OUTPUT",
      rule: "-j LOG",
      packet: `${OUT} id 4660`,
      expect: { log: /^IN= OUT=enp3s0 SRC=192\.168\.1\.88 DST=192\.168\.1\.20 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=4660 DF PROTO=TCP SPT=40000 DPT=80 WINDOW=64240 RES=0x00 SYN URGP=0 $/ },
    },
    {
      name: "an arrived packet's MAC header is logged: destination, source, EtherType",
      chain: "INPUT",
      rule: "-j LOG",
      packet: IN,
      expect: { log: /^IN=enp3s0 OUT= MAC=58:47:ca:71:5e:3a:02:42:c0:a8:01:01:08:00 SRC=192\.168\.1\.20 / },
    },
    { name: "--log-macdecode names the MAC fields", chain: "INPUT", rule: "-j LOG --log-macdecode", packet: IN, expect: { log: /^IN=enp3s0 OUT= MACSRC=02:42:c0:a8:01:01 MACDST=58:47:ca:71:5e:3a MACPROTO=0800 SRC=/ } },
    { name: "--log-tcp-sequence adds SEQ and ACK before WINDOW", chain: "OUTPUT", rule: "-j LOG --log-tcp-sequence", packet: `${OUT} seq 763947120`, expect: { log: / SPT=40000 DPT=80 SEQ=763947120 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0 $/ } },
    { name: "--log-uid adds the local sender's UID and GID", chain: "OUTPUT", rule: "-j LOG --log-uid", packet: OUT, expect: { log: / URGP=0 UID=0 GID=0 $/ } },
    { name: "--log-uid on an arrived packet: no socket, nothing added", chain: "INPUT", rule: "-j LOG --log-uid", packet: IN, expect: { log: / URGP=0 $/ } },
    { name: "flags in the kernel's order (ACK before RST)", chain: "INPUT", rule: "-j LOG", packet: `${IN} flags RST,ACK`, expect: { log: / RES=0x00 ACK RST URGP=0 $/ } },
    { name: "UDP: the ports and the UDP length", chain: "OUTPUT", rule: "-j LOG", packet: "udp 192.168.1.88:41008 -> 192.168.1.20:53 len 33", expect: { log: /^IN= OUT=enp3s0 SRC=192\.168\.1\.88 DST=192\.168\.1\.20 LEN=33 TOS=0x00 PREC=0x00 TTL=64 ID=\d+ DF PROTO=UDP SPT=41008 DPT=53 LEN=13 $/ } },
    { name: "ICMP echo: type, code, id and sequence", chain: "OUTPUT", rule: "-j LOG", packet: "icmp 192.168.1.88 -> 192.168.1.20 id 77 len 34", expect: { log: / TTL=64 ID=77 DF PROTO=ICMP TYPE=8 CODE=0 ID=\d+ SEQ=\d+ $/ } },
    { name: "TOS splits into TOS and PREC", chain: "OUTPUT", rule: "-j LOG", packet: `${OUT} tos 0xc8`, expect: { log: / TOS=0x08 PREC=0xC0 / } },
    { name: "a local packet in POSTROUTING: no IN, UID and GID before the mark", table: "mangle", chain: "POSTROUTING", rule: "-j LOG --log-uid", packet: "udp 192.168.1.88:52897 -> 192.168.1.20:5353 len 33 mark 0x4000",
      expect: { log: /^IN= OUT=enp3s0 SRC=192\.168\.1\.88 .* PROTO=UDP SPT=52897 DPT=5353 LEN=13 UID=0 GID=0 MARK=0x4000 $/ } },
    { name: "a mark is logged last", chain: "OUTPUT", rule: "-j LOG", packet: `${OUT} mark 0x4000`, expect: { log: / URGP=0 MARK=0x4000 $/ } },
    { name: "an unknown level is refused", chain: "OUTPUT", rule: "-j LOG --log-level loud", packet: OUT, expect: { loadError: /log level "loud" unknown/ } },
  ]);
});
