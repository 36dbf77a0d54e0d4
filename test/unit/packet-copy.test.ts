// clonePacket spells out every field (one object shape for the walk's many copies). A field added
// to Packet later must be copied too: the packet below is `Required<Packet>`, so the compiler
// refuses this file until the new field is in it, and the test fails until clonePacket copies it.
import { describe, expect, it } from "vitest";
import { clonePacket, type Packet } from "../../src/engine/model/packet.js";

const full: Required<Packet> = {
  proto: "tcp", src: 0xc0a80158, dst: 0x0a2b9c62, sport: 49058, dport: 9898, tcpFlags: 2, tcpOptions: [2, 4, 8, 1, 3], seq: 3141592653, ack: 0, win: 64240, wscale: 7,
  icmpType: 0, icmpCode: 0, len: 60, tos: 0, ttl: 64, id: 4242, df: true, fragOffset: 0, mark: 0x4000,
  iif: "enp3s0", oif: "vxlan.calico", macSrc: "52:54:00:12:34:56", macDst: "52:54:00:65:43:21", pktType: "unicast",
  nfTrace: true, traceId: 0x1234abcd, uid: 1000, gid: 1000, kernelSocket: true,
};

describe("clonePacket", () => {
  it("copies every field of a packet that has them all", () => {
    const c = clonePacket(full);
    expect(c).toStrictEqual(full);
    expect(c).not.toBe(full);
  });
  it("leaves optional fields absent when they are absent (not present and undefined)", () => {
    const { iif: _i, oif: _o, macSrc: _ms, macDst: _md, uid: _u, gid: _g, kernelSocket: _k, wscale: _w, ...bare } = full;
    const c = clonePacket(bare);
    expect(c).toStrictEqual(bare);
    expect(Object.keys(c)).not.toContain("iif");
  });
  it("a copy changed does not change the original", () => {
    const c = clonePacket(full);
    c.mark = 1;
    c.dst = 1;
    expect(full.mark).toBe(0x4000);
    expect(full.dst).toBe(0x0a2b9c62);
  });
});
