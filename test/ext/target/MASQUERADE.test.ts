// -j MASQUERADE vectors (kernel: nf_nat_masquerade.c nf_nat_masquerade_ipv4 — the source becomes
// inet_select_addr(out, nexthop): the outgoing interface's address, or, on an interface without
// one, the first universe-scope address of another device; NF_DROP when there is none; ports as
// --to-ports says; nat table, POSTROUTING only).
import { describe, expect, it } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";
import { run } from "../../helpers/session.js";
import { formatIp, parseIp } from "../../../src/engine/model/ipv4.js";
import { routeLookup, selectSource } from "../../../src/engine/route/lookup.js";
import { loadCanned } from "../../../src/sources/load.js";

const FWD_VXLAN = "tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0";
const FWD_LAN = "tcp 10.42.135.131:5000 -> 8.8.8.8:53 in cali5c2e8d1a0b7";

describe("-j MASQUERADE", () => {
  vectors([
    { name: "out vxlan.calico: the source is 10.42.135.130", table: "nat", chain: "POSTROUTING", rule: "-o vxlan.calico -j MASQUERADE", packet: FWD_VXLAN,
      expect: { verdict: "ACCEPT", nat: { manip: "SRC", src: "10.42.135.130", sport: 5000, dst: "10.42.54.194", dport: 80 }, fate: { kind: "sent", iface: "vxlan.calico" } } },
    { name: "out enp3s0: the source is 192.168.1.88", table: "nat", chain: "POSTROUTING", rule: "-o enp3s0 -j MASQUERADE", packet: FWD_LAN,
      expect: { nat: { manip: "SRC", src: "192.168.1.88", sport: 5000 }, fate: { kind: "sent", iface: "enp3s0" } } },
    { name: "out a pod veth without an address: another device's address", table: "nat", chain: "POSTROUTING", rule: "-j MASQUERADE", packet: "tcp 192.168.1.20:5000 -> 10.42.135.131:80 in enp3s0",
      expect: { nat: { manip: "SRC", src: "192.168.1.88" }, fate: { kind: "sent", iface: "cali5c2e8d1a0b7" } } },
    { name: "--to-ports: the source port lands in the range", table: "nat", chain: "POSTROUTING", rule: "-p tcp -j MASQUERADE --to-ports 20000-20010", packet: FWD_VXLAN,
      expect: { check: (r) => { expect(r.result.pkt.sport).toBeGreaterThanOrEqual(20000); expect(r.result.pkt.sport).toBeLessThanOrEqual(20010); } } },
    { name: "--random-fully still uses the interface's address", table: "nat", chain: "POSTROUTING", rule: "-j MASQUERADE --random-fully", packet: FWD_VXLAN,
      expect: { check: (r) => expect(formatIp(r.result.pkt.src)).toBe("10.42.135.130") } },
    { name: "the node's own packet", table: "nat", chain: "POSTROUTING", rule: "-o vxlan.calico -j MASQUERADE", packet: "tcp 192.168.1.88:40000 -> 10.42.54.194:80",
      expect: { nat: { manip: "SRC", src: "10.42.135.130", sport: 40000 } } },
    { name: "the reply is un-masqueraded", table: "nat", chain: "POSTROUTING", rule: "-o vxlan.calico -j MASQUERADE", packet: FWD_VXLAN,
      expect: { check: (r) => {
        run(r.s, "reply");
        const back = r.s.sent[r.s.sent.length - 1]!.result;
        expect([formatIp(back.pkt.dst), back.pkt.dport]).toEqual(["192.168.1.20", 5000]);
        expect(back.fate).toMatchObject({ kind: "sent", iface: "enp3s0" });
      } } },
    { name: "refused in INPUT", table: "nat", chain: "INPUT", rule: "-j MASQUERADE", packet: FWD_VXLAN, expect: { loadError: /MASQUERADE is not allowed in the INPUT hook/ } },
    { name: "refused outside nat", table: "mangle", chain: "POSTROUTING", rule: "-j MASQUERADE", packet: FWD_VXLAN, expect: { loadError: /only valid in the nat table/ } },
  ]);

  it("takes the out interface's address on the next hop's subnet, not its first (kernel scenario 47)", () => {
    const node = structuredClone(loadCanned("article").node);
    node.interfaces.find((i) => i.name === "enp3s0")!.addrs.unshift({ ip: parseIp("10.9.0.1")!, prefix: 24, scope: "global" });
    const source = (near: string) => formatIp(selectSource(node, "enp3s0", parseIp(near)!, "universe")!);
    expect(source("192.168.1.1")).toBe("192.168.1.88");
    expect(source("10.9.0.7")).toBe("10.9.0.1");
    // no subnet holds it: the interface's first address
    expect(source("8.8.8.8")).toBe("10.9.0.1");
  });

  it("and a route without src: near its gateway, or the device's first address when it has none (fib_result_prefsrc)", () => {
    const node = structuredClone(loadCanned("article").node);
    node.interfaces.find((i) => i.name === "enp3s0")!.addrs.unshift({ ip: parseIp("10.9.0.1")!, prefix: 24, scope: "global" });
    const route = (dst: string, via?: string) => ({ table: 254, type: "unicast" as const, dst: { addr: parseIp(dst)!, mask: 0xffffff00, prefix: 24 }, via: via ? parseIp(via) : undefined, dev: "enp3s0", scope: "universe" as const, metric: 0, onlink: false });
    node.routes.push(route("172.31.5.0", "192.168.1.254"), route("192.168.1.0", undefined));
    node.routes = node.routes.filter((r) => !(r.dst.prefix === 24 && r.dst.addr === parseIp("192.168.1.0") && r.src !== undefined));
    const src = (dst: string) => formatIp(routeLookup(node, { dst: parseIp(dst)!, mark: 0 }).src!);
    expect(src("172.31.5.9")).toBe("192.168.1.88");
    expect(src("192.168.1.20")).toBe("10.9.0.1");
  });

  it("skips an address narrower than it asks for: a link-scope address for MASQUERADE and gateways, not for a device route (measured, §2 and §6)", () => {
    const node = structuredClone(loadCanned("article").node);
    const enp = node.interfaces.find((i) => i.name === "enp3s0")!;
    enp.addrs.unshift({ ip: parseIp("169.254.1.1")!, prefix: 16, scope: "link" });
    expect(formatIp(selectSource(node, "enp3s0", parseIp("169.254.1.9")!, "universe")!)).toBe("192.168.1.88");
    expect(formatIp(selectSource(node, "enp3s0", parseIp("192.168.1.20")!, "universe")!)).toBe("192.168.1.88");
    expect(formatIp(selectSource(node, "enp3s0", undefined, "link")!)).toBe("169.254.1.1");
    const route = (dst: string, prefix: number, via?: string) => ({ table: 254, type: "unicast" as const, dst: { addr: parseIp(dst)!, mask: (0xffffffff << (32 - prefix)) >>> 0, prefix }, via: via ? parseIp(via) : undefined, dev: "enp3s0", scope: via ? ("universe" as const) : ("link" as const), metric: 0, onlink: false });
    node.routes.push(route("172.29.0.0", 16), route("172.28.0.0", 16, "169.254.1.9"));
    const src = (dst: string) => formatIp(routeLookup(node, { dst: parseIp(dst)!, mark: 0 }).src!);
    expect(src("172.29.0.5")).toBe("169.254.1.1");
    expect(src("172.28.0.5")).toBe("192.168.1.88");
  });
});
