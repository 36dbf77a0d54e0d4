// -j CHECKSUM vectors (kernel: xt_CHECKSUM.c checksum_tg — fills in a partial checksum and
// returns XT_CONTINUE; the target is registered for the mangle table only).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const DHCP_OUT = "udp 192.168.1.88:67 -> 192.168.1.20:68";

describe("-j CHECKSUM", () => {
  vectors([
    { name: "continues, the packet unchanged", table: "mangle", chain: "POSTROUTING", rule: "-p udp -m udp --dport 68 -j CHECKSUM --checksum-fill", packet: DHCP_OUT,
      expect: { verdict: "CONTINUE", after: { src: "192.168.1.88", dst: "192.168.1.20", sport: 67, dport: 68, len: 33, ttl: 64, mark: 0 }, fate: { kind: "sent", iface: "enp3s0" } } },
    { name: "in mangle OUTPUT too", table: "mangle", chain: "OUTPUT", rule: "-p udp -j CHECKSUM --checksum-fill", packet: DHCP_OUT, expect: { verdict: "CONTINUE" } },
    { name: "on a forwarded packet", table: "mangle", chain: "FORWARD", rule: "-j CHECKSUM --checksum-fill", packet: "tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0",
      expect: { verdict: "CONTINUE", fate: { kind: "sent", iface: "vxlan.calico" } } },
    { name: "refused in nat", table: "nat", chain: "POSTROUTING", rule: "-j CHECKSUM --checksum-fill", packet: DHCP_OUT, expect: { loadError: /only valid in the mangle table/ } },
  ]);
});
