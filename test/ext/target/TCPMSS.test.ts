// -j TCPMSS vectors (kernel: xt_TCPMSS.c tcpmss_tg4 returns XT_CONTINUE; tcpmss_tg4_check
// refuses --clamp-mss-to-pmtu outside FORWARD/OUTPUT/POSTROUTING; the target is TCP only.
// Through nft_compat the "only works on TCP SYN packets" check is skipped).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const FWD_SYN = "tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0";

describe("-j TCPMSS", () => {
  vectors([
    { name: "--clamp-mss-to-pmtu continues on a forwarded SYN", table: "mangle", chain: "FORWARD", rule: "-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu", packet: FWD_SYN,
      expect: { verdict: "CONTINUE", after: { len: 60, src: "192.168.1.20", dst: "10.42.54.194" }, fate: { kind: "sent", iface: "vxlan.calico" } } },
    { name: "--set-mss continues in POSTROUTING", table: "mangle", chain: "POSTROUTING", rule: "-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1360", packet: FWD_SYN,
      expect: { verdict: "CONTINUE", after: { len: 60 } } },
    { name: "without a SYN match (iptables-nft: no SYN check), a non-SYN passes through", table: "mangle", chain: "FORWARD", rule: "-p tcp -j TCPMSS --set-mss 1360",
      packet: "tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0 flags ACK", expect: { verdict: "CONTINUE", after: { len: 52 } } },
    { name: "in OUTPUT", table: "mangle", chain: "OUTPUT", rule: "-p tcp -j TCPMSS --clamp-mss-to-pmtu", packet: "tcp 192.168.1.88:40000 -> 192.168.1.20:80", expect: { verdict: "CONTINUE" } },
    { name: "a set MSS is fine in PREROUTING", table: "mangle", chain: "PREROUTING", rule: "-p tcp -j TCPMSS --set-mss 1200", packet: FWD_SYN, expect: { verdict: "CONTINUE" } },
    { name: "-p udp is refused", table: "mangle", chain: "FORWARD", rule: "-p udp -j TCPMSS --set-mss 1360", packet: FWD_SYN, expect: { loadError: /RULE_APPEND failed \(Invalid argument\)/ } },
    { name: "one of --set-mss and --clamp-mss-to-pmtu is required", table: "mangle", chain: "FORWARD", rule: "-p tcp -j TCPMSS", packet: FWD_SYN, expect: { loadError: /exactly one of/ } },
    {
      name: "--clamp-mss-to-pmtu is refused in PREROUTING",
      table: "mangle",
      chain: "PREROUTING",
      rule: "-p tcp -j TCPMSS --clamp-mss-to-pmtu",
      packet: FWD_SYN,
      expect: { loadError: /RULE_APPEND failed \(Invalid argument\)/ },
      // measured with iptables-nft-restore: RULE_APPEND failed (Invalid argument)
    },
    {
      name: "--clamp-mss-to-pmtu is refused in INPUT",
      table: "mangle",
      chain: "INPUT",
      rule: "-p tcp -j TCPMSS --clamp-mss-to-pmtu",
      packet: FWD_SYN,
      expect: { loadError: /RULE_APPEND failed \(Invalid argument\)/ },
      // measured with iptables-nft-restore: RULE_APPEND failed (Invalid argument)
    },
  ]);
});
