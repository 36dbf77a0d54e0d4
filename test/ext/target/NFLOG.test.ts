// -j NFLOG vectors (kernel: xt_NFLOG.c nflog_tg — hands the packet to the netlink log group and
// returns XT_CONTINUE; group 0 unless given; allowed in every table and hook). ktrace records
// the hand-off as a log event "group N prefix …".
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const IN = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";

describe("-j NFLOG", () => {
  vectors([
    { name: "continues; group 0 by default", chain: "INPUT", rule: "-j NFLOG", packet: IN, expect: { verdict: "CONTINUE", log: /^group 0(?!\d)(?! prefix)/, fate: { kind: "delivered" } } },
    { name: "the group and prefix (Calico's drop log)", chain: "INPUT", rule: '-j NFLOG --nflog-prefix "DRP|x" --nflog-group 1', packet: IN, expect: { log: 'group 1 prefix "DRP|x"' } },
    { name: "group 65535 is the highest", chain: "INPUT", rule: "-j NFLOG --nflog-group 65535", packet: IN, expect: { log: /^group 65535(?!\d)(?! prefix)/ } },
    { name: "size and threshold change nothing in the walk", table: "mangle", chain: "FORWARD", rule: "-j NFLOG --nflog-group 2 --nflog-size 128 --nflog-threshold 4",
      packet: "tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0", expect: { verdict: "CONTINUE", log: /^group 2(?!\d)(?! prefix)/, fate: { kind: "sent", iface: "vxlan.calico" } } },
    { name: "in a user chain", chain: "NFL", via: "INPUT", rule: "-j NFLOG --nflog-group 3", packet: IN, expect: { verdict: "CONTINUE", log: /^group 3(?!\d)/ } },
    { name: "group 65536 is refused", chain: "INPUT", rule: "-j NFLOG --nflog-group 65536", packet: IN, expect: { loadError: /bad value "65536" for --nflog-group/ } },
  ]);
});
