// -j SNAT vectors (kernel: xt_nat.c xt_snat_target_v2 -> nf_nat_setup_info(NF_NAT_MANIP_SRC):
// the connection's source is rewritten, the port kept when it is free and in range, the reply
// un-SNATed by conntrack (its destination, in PREROUTING); nat table, POSTROUTING and INPUT only).
import { describe, expect } from "vitest";
import { vectors, type VectorRun } from "../../helpers/ext-vectors.js";
import { formatIp } from "../../../src/engine/model/ipv4.js";
import { run } from "../../helpers/session.js";

const FWD = "tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0";
const lastSent = (r: VectorRun) => r.s.sent[r.s.sent.length - 1]!.result;

describe("-j SNAT", () => {
  vectors([
    { name: "rewrites the source, keeps a free port, accepts", table: "nat", chain: "POSTROUTING", rule: "-o vxlan.calico -j SNAT --to-source 10.42.135.130", packet: FWD,
      expect: { verdict: "ACCEPT", nat: { manip: "SRC", src: "10.42.135.130", sport: 5000, dst: "10.42.54.194", dport: 80 }, fate: { kind: "sent", iface: "vxlan.calico" },
        check: (r) => expect(formatIp(r.result.pkt.src)).toBe("10.42.135.130") } },
    { name: "a port given with -p tcp is used", table: "nat", chain: "POSTROUTING", rule: "-p tcp -j SNAT --to-source 10.42.135.130:6000", packet: FWD,
      expect: { nat: { manip: "SRC", src: "10.42.135.130", sport: 6000 } } },
    { name: "a port range: the source port lands inside it", table: "nat", chain: "POSTROUTING", rule: "-p tcp -j SNAT --to-source 10.42.135.130:6000-6010", packet: FWD,
      expect: { check: (r) => { expect(r.result.pkt.sport).toBeGreaterThanOrEqual(6000); expect(r.result.pkt.sport).toBeLessThanOrEqual(6010); } } },
    { name: "a port range holding the original port keeps it", table: "nat", chain: "POSTROUTING", rule: "-p tcp -j SNAT --to-source 10.42.135.130:4000-6000", packet: FWD,
      expect: { nat: { manip: "SRC", sport: 5000 } } },
    { name: "an address range: the source lands inside it", table: "nat", chain: "POSTROUTING", rule: "-j SNAT --to-source 10.42.135.140-10.42.135.150", packet: FWD,
      expect: { check: (r) => { const a = formatIp(r.result.pkt.src).split(".").map(Number); expect(a.slice(0, 3)).toEqual([10, 42, 135]); expect(a[3]).toBeGreaterThanOrEqual(140); expect(a[3]).toBeLessThanOrEqual(150); } } },
    { name: "the reply is un-SNATed by conntrack", table: "nat", chain: "POSTROUTING", rule: "-j SNAT --to-source 10.42.135.130", packet: FWD,
      expect: { check: (r) => {
        run(r.s, "reply");
        const back = lastSent(r);
        expect([formatIp(back.pkt.src), back.pkt.sport, formatIp(back.pkt.dst), back.pkt.dport]).toEqual(["10.42.54.194", 80, "192.168.1.20", 5000]);
        expect(back.events.some((e) => e.kind === "nat" && e.how === "conntrack" && e.manip === "DST" && e.dir === "REPLY" && e.hook === "PREROUTING")).toBe(true);
      } } },
    { name: "later packets of the connection are rewritten without the rule", table: "nat", chain: "POSTROUTING", rule: "-j SNAT --to-source 10.42.135.130", packet: FWD,
      expect: { check: (r) => {
        run(r.s, "reply flags SYN,ACK", `send ${FWD} flags ACK`);
        const again = lastSent(r);
        expect(formatIp(again.pkt.src)).toBe("10.42.135.130");
        expect(again.events.some((e) => (e.kind === "rule" || e.kind === "nomatch") && e.table === "nat")).toBe(false);
      } } },
    { name: "in nat INPUT", table: "nat", chain: "INPUT", rule: "-j SNAT --to-source 192.168.1.77", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0",
      expect: { verdict: "ACCEPT", nat: { manip: "SRC", src: "192.168.1.77", sport: 5000 }, fate: { kind: "delivered" } } },
    { name: "refused in a user chain reached from PREROUTING", table: "nat", chain: "MYSNAT", via: "PREROUTING", rule: "-j SNAT --to-source 10.42.135.130", packet: FWD,
      expect: { loadError: /SNAT is not allowed in the PREROUTING hook/ } },
    { name: "refused outside the nat table", table: "mangle", chain: "POSTROUTING", rule: "-j SNAT --to-source 10.42.135.130", packet: FWD, expect: { loadError: /only valid in the nat table/ } },
  ]);
});
