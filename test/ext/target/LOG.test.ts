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
    {
      name: "the line goes on with LEN, TOS, PREC, TTL, ID, DF and the ports",
      chain: "OUTPUT",
      rule: "-j LOG",
      packet: `${OUT} id 4660`,
      expect: { log: /^IN= OUT=enp3s0 SRC=192\.168\.1\.88 DST=192\.168\.1\.20 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=4660 DF PROTO=TCP SPT=40000 DPT=80 / },
      kernelDiffers: "nf_log_syslog.c dump_ipv4_packet",
    },
    {
      name: "an arrived packet's MAC header is logged",
      chain: "INPUT",
      rule: "-j LOG",
      packet: IN,
      expect: { log: /^IN=enp3s0 OUT= MAC=58:47:ca:71:5e:3a:02:42:c0:a8:01:01:08:00 SRC=192\.168\.1\.20 / },
      kernelDiffers: "nf_log_syslog.c dump_mac_header",
    },
    { name: "an unknown level is refused", chain: "OUTPUT", rule: "-j LOG --log-level loud", packet: OUT, expect: { loadError: /log level "loud" unknown/ } },
  ]);
});
