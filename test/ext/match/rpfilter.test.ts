// -m rpfilter vectors (kernel: xt_rpfilter.c rpfilter_mt — loopback always passes; a 0.0.0.0
// source to a broadcast or local multicast passes; otherwise the route back to the source,
// looked up as if from lo, must be unicast (or local with --accept-local) and leave by the input
// interface unless --loose; --invert flips. Hook PREROUTING only; tables raw and mangle).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

describe("-m rpfilter", () => {
  vectors([
    { name: "strict: a LAN source on enp3s0 passes", table: "raw", chain: "PREROUTING", rule: "-m rpfilter", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: "match" },
    { name: "strict: a pod-network source on enp3s0 fails (its route is vxlan.calico)", table: "raw", chain: "PREROUTING", rule: "-m rpfilter",
      packet: "tcp 10.42.54.194:5000 -> 192.168.1.88:22 in enp3s0", expect: { fail: "-m rpfilter", why: "reverse path fails" } },
    { name: "strict: the same source on vxlan.calico passes", table: "raw", chain: "PREROUTING", rule: "-m rpfilter", packet: "tcp 10.42.54.194:5000 -> 192.168.1.88:22 in vxlan.calico", expect: "match" },
    { name: "--loose: any unicast route back is enough", table: "raw", chain: "PREROUTING", rule: "-m rpfilter --loose", packet: "tcp 10.42.54.194:5000 -> 192.168.1.88:22 in enp3s0", expect: "match" },
    { name: "a source routed to a blackhole fails even --loose", table: "raw", chain: "PREROUTING", rule: "-m rpfilter --loose",
      packet: "tcp 10.42.135.140:5000 -> 192.168.1.88:22 in enp3s0", expect: { fail: "-m rpfilter" } },
    { name: "--invert: the failing packet matches (the usual DROP rule)", table: "raw", chain: "PREROUTING", rule: "-m rpfilter --invert -j DROP",
      packet: "tcp 10.42.54.194:5000 -> 192.168.1.88:22 in enp3s0", expect: { verdict: "DROP", fate: { kind: "dropped", table: "raw" } } },
    { name: "--invert: a good packet misses", table: "raw", chain: "PREROUTING", rule: "-m rpfilter --invert -j DROP",
      packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: { fail: "-m rpfilter --invert", why: "source is reachable via the input interface" } },
    { name: "a local source fails without --accept-local", table: "mangle", chain: "PREROUTING", rule: "-m rpfilter", packet: "tcp 192.168.1.88:5000 -> 192.168.1.88:22 in enp3s0",
      expect: { fail: "-m rpfilter" } },
    { name: "--accept-local: a local source on its own interface passes", table: "mangle", chain: "PREROUTING", rule: "-m rpfilter --accept-local", packet: "tcp 192.168.1.88:5000 -> 192.168.1.20:22 in enp3s0", expect: "match" },
    { name: "loopback always passes", table: "raw", chain: "PREROUTING", rule: "-m rpfilter", packet: "tcp 192.168.1.88:5000 -> 192.168.1.88:22", expect: "match" },
    {
      name: "--accept-local still wants the local address's own interface (strict)",
      table: "raw",
      chain: "PREROUTING",
      rule: "-m rpfilter --accept-local",
      packet: "tcp 10.42.135.130:5000 -> 192.168.1.88:22 in enp3s0",
      expect: { fail: "-m rpfilter" },
      // measured: kernel scenario 44
    },
    { name: "--accept-local --loose: a local source on another interface passes", table: "raw", chain: "PREROUTING", rule: "-m rpfilter --accept-local --loose", packet: "tcp 10.42.135.130:5000 -> 192.168.1.88:22 in enp3s0", expect: "match" },
    {
      name: "a DHCP discover (0.0.0.0 -> 255.255.255.255) passes on any interface",
      table: "raw",
      chain: "PREROUTING",
      rule: "-m rpfilter",
      packet: "udp 0.0.0.0:68 -> 255.255.255.255:67 in vxlan.calico",
      expect: "match",
      // measured: kernel scenario 44
    },
    { name: "a 0.0.0.0 source to a local multicast group (224.0.0.0/24) passes too", table: "raw", chain: "PREROUTING", rule: "-m rpfilter", packet: "udp 0.0.0.0:68 -> 224.0.0.251:5353 in vxlan.calico", expect: "match" },
    { name: "a 0.0.0.0 source to a unicast address goes through the lookup (and fails)", table: "raw", chain: "PREROUTING", rule: "-m rpfilter", packet: "udp 0.0.0.0:68 -> 192.168.1.88:67 in vxlan.calico", expect: { fail: "-m rpfilter" } },
    { name: "refused in OUTPUT", table: "raw", chain: "OUTPUT", rule: "-m rpfilter", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: { loadError: /cannot be used in the OUTPUT hook/ } },
    {
      name: "refused in the nat table",
      table: "nat",
      chain: "PREROUTING",
      rule: "-m rpfilter",
      packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0",
      expect: { loadError: /RULE_APPEND failed \(Invalid argument\)/ },
      // measured with iptables-nft-restore: RULE_APPEND failed (Invalid argument)
    },
  ]);
});
