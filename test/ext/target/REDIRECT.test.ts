// -j REDIRECT vectors (kernel: nf_nat_redirect.c nf_nat_redirect_ipv4 — locally generated
// packets go to 127.0.0.1, arriving ones to the first address of the incoming interface, NF_DROP
// when it has none; nat table, PREROUTING and OUTPUT only).
import { describe, expect } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";
import { formatIp } from "../../../src/engine/model/ipv4.js";

const IN = "tcp 192.168.1.20:5000 -> 10.43.0.10:80 in enp3s0";

describe("-j REDIRECT", () => {
  vectors([
    { name: "arriving on enp3s0: to 192.168.1.88, port from --to-ports", table: "nat", chain: "PREROUTING", rule: "-p tcp -j REDIRECT --to-ports 15001", packet: IN,
      expect: { verdict: "ACCEPT", nat: { manip: "DST", dst: "192.168.1.88", dport: 15001, src: "192.168.1.20", sport: 5000 }, fate: { kind: "delivered" } } },
    { name: "without --to-ports the port is kept", table: "nat", chain: "PREROUTING", rule: "-p tcp -j REDIRECT", packet: IN,
      expect: { nat: { manip: "DST", dst: "192.168.1.88", dport: 80 } } },
    { name: "arriving on vxlan.calico: to that interface's address", table: "nat", chain: "PREROUTING", rule: "-p tcp -j REDIRECT --to-ports 15001",
      packet: "tcp 10.42.54.194:5000 -> 10.43.0.10:80 in vxlan.calico", expect: { nat: { manip: "DST", dst: "10.42.135.130", dport: 15001 } } },
    { name: "an interface without an address: dropped", table: "nat", chain: "PREROUTING", rule: "-p tcp -j REDIRECT --to-ports 15001",
      packet: "tcp 10.42.135.131:5000 -> 10.43.0.10:80 in cali5c2e8d1a0b7", expect: { verdict: "DROP", fate: { kind: "dropped" } } },
    { name: "locally generated: to 127.0.0.1", table: "nat", chain: "OUTPUT", rule: "-p tcp -j REDIRECT --to-ports 15001", packet: "tcp 192.168.1.88:40000 -> 10.43.0.10:80",
      expect: { verdict: "ACCEPT", nat: { manip: "DST", dst: "127.0.0.1", dport: 15001 } } },
    { name: "a port range: the port lands inside it", table: "nat", chain: "PREROUTING", rule: "-p tcp -j REDIRECT --to-ports 15001-15006", packet: IN,
      expect: { check: (r) => { expect(formatIp(r.result.pkt.dst)).toBe("192.168.1.88"); expect(r.result.pkt.dport).toBeGreaterThanOrEqual(15001); expect(r.result.pkt.dport).toBeLessThanOrEqual(15006); } } },
    { name: "the port 65535 is a port", table: "nat", chain: "PREROUTING", rule: "-p tcp -j REDIRECT --to-ports 65535", packet: IN, expect: { nat: { manip: "DST", dport: 65535 } } },
    { name: "refused in INPUT", table: "nat", chain: "INPUT", rule: "-p tcp -j REDIRECT", packet: IN, expect: { loadError: /REDIRECT is not allowed in the INPUT hook/ } },
    { name: "refused outside nat", table: "mangle", chain: "PREROUTING", rule: "-p tcp -j REDIRECT", packet: IN, expect: { loadError: /only valid in the nat table/ } },
  ]);
});
