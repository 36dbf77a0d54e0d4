// Kernel behaviours found in review and measured in namespaces: TCP re-open and INVALID
// transitions, REJECT's reset through nat, ICMP error TOS, rpfilter and rp_filter, martian
// sources, the forwarding MTU check, connmark/conntrack without an entry, addrtype's table.
import { describe, expect, it } from "vitest";
import { rulesSession, run, snapshotSession } from "../helpers/session.js";
import type { Session } from "../../src/lang/session.js";
import { ARTICLE_ADDR_JSON, ARTICLE_ROUTE_JSON } from "../../src/sources/canned/article-node.js";

const last = (s: Session) => s.sent[s.sent.length - 1]!.result;
const RAW_TRACE = "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j TRACE\n-A OUTPUT -j TRACE\nCOMMIT\n";

describe("TCP connection tracking", () => {
  const nat = `*nat\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A OUTPUT -d 10.96.0.1/32 -p tcp -m tcp --dport 443 -m statistic --mode random --probability 0.5 -j DNAT --to-destination 192.168.1.50:6443\n-A OUTPUT -d 10.96.0.1/32 -p tcp -m tcp --dport 443 -j DNAT --to-destination 192.168.1.51:6443\nCOMMIT\n`;
  it("a SYN after the server's reset opens a new connection: NEW again, nat runs again", () => {
    const s = rulesSession(nat);
    run(s, "send tcp 192.168.1.88:40000 -> 10.96.0.1:443", "reply flags RST,ACK");
    // a reset before any answer: conntrack forgets the connection at once (nf_ct_kill_acct)
    expect(last(s).ct?.killed).toBe(true);
    expect(s.engine.conntrack.entries).toHaveLength(0);
    run(s, "send tcp 192.168.1.88:40000 -> 10.96.0.1:443");
    const r = last(s);
    expect(r.ct?.state).toBe("NEW");
    expect(r.events.some((e) => e.kind === "rule" && e.table === "nat")).toBe(true);
    expect(s.engine.conntrack.entries).toHaveLength(1);
  });
  it("an ACK before the SYN-ACK is INVALID and leaves the entry alone", () => {
    const s = rulesSession(nat);
    run(s, "send tcp 192.168.1.88:40000 -> 10.96.0.1:443", "send tcp 192.168.1.88:40000 -> 10.96.0.1:443 flags ACK");
    expect(last(s).ct).toMatchObject({ dir: "ORIGINAL", state: "INVALID", note: "a segment with ACK in the original direction is not allowed in state SYN_SENT" });
    expect(s.engine.conntrack.entries[0]!.protoState).toBe("SYN_SENT");
  });
  it("impossible flag combinations are INVALID without touching the table", () => {
    const s = rulesSession(nat);
    run(s, "send tcp 192.168.1.88:40000 -> 10.96.0.1:443 flags SYN,FIN");
    expect(last(s).ct?.state).toBe("INVALID");
    expect(s.engine.conntrack.entries).toHaveLength(0);
  });
});

describe("REJECT's answers", () => {
  it("the reset of a FORWARD reject goes through nat POSTROUTING; ICMP errors carry TOS 0xc0", () => {
    // (a rule that uses conntrack: without one the kernel never runs nat at all)
    const s = rulesSession(`${RAW_TRACE}*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -j ACCEPT\nCOMMIT\n*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -m conntrack --ctstate INVALID -j DROP\n-A FORWARD -p tcp -m tcp --dport 80 -j REJECT --reject-with tcp-reset\n-A FORWARD -p udp -j REJECT\nCOMMIT\n`);
    run(s, "format xtables-monitor");
    const out = run(s, "send tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0");
    expect(out).toMatch(/SRC=10\.42\.54\.194 DST=192\.168\.1\.20 LEN=40 .*ACK RST \n TRACE: 2 \w+ nat:POSTROUTING:rule:0x2:ACCEPT/);
    const icmp = run(s, "send udp 192.168.1.20:5000 -> 10.42.54.194:53 in enp3s0");
    expect(icmp).toMatch(/PACKET: 2 \w+ OUT=enp3s0 SRC=192\.168\.1\.88 DST=192\.168\.1\.20 LEN=61 TOS=0xc0 TTL=64 ID=\d+ \n/);
  });
});

describe("source checks on input", () => {
  it("rpfilter strict: the route back must leave by the input interface", () => {
    const s = rulesSession("*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m rpfilter --invert -j DROP\nCOMMIT\n");
    run(s, "send tcp 10.42.54.194:5000 -> 192.168.1.88:22 in enp3s0");
    expect(last(s).fate).toMatchObject({ kind: "dropped", by: "rule", table: "raw" });
    run(s, "send tcp 10.42.54.194:5001 -> 192.168.1.88:22 in vxlan.calico");
    expect(last(s).fate.kind).toBe("delivered");
  });
  it("a packet claiming one of our own addresses is a martian", () => {
    const s = rulesSession("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n");
    run(s, "send tcp 192.168.1.88:5000 -> 10.42.54.194:80 in enp3s0");
    expect(last(s).fate).toEqual({ kind: "unroutable", reason: "martian source 192.168.1.88: it is one of this node's own addresses, arriving on enp3s0" });
  });
  it("rp_filter=1 drops what would not route back the same way", () => {
    const snap = `# ktrace snapshot v1\n## ip -j addr\n${ARTICLE_ADDR_JSON}\n## ip -j route show table all\n${ARTICLE_ROUTE_JSON}\n## sysctl\nnet.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter = 1\n## iptables-save\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n`;
    const s = snapshotSession(snap);
    run(s, "send tcp 10.42.54.194:5000 -> 192.168.1.88:22 in enp3s0");
    expect(last(s).fate).toMatchObject({ kind: "unroutable", reason: "rp_filter=1 (strict): the route back to 10.42.54.194 leaves by vxlan.calico, not enp3s0" });
  });
  it("a forwarded packet bigger than the outgoing MTU with DF set is not forwarded", () => {
    const s = rulesSession("*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n");
    run(s, "send tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0 len 1500 flags ACK");
    expect(last(s).fate).toMatchObject({ kind: "not-forwarded" });
    expect((last(s).fate as { reason: string }).reason).toBe("packet too big: 1500 bytes with DF set, vxlan.calico has MTU 1450 (ICMP fragmentation-needed sent back)");
    // checked before the TTL is decremented, and answered by the stack (kernel scenario 32)
    expect(last(s).events.some((e) => e.kind === "ttl")).toBe(false);
    const spawned = last(s).events.find((e) => e.kind === "spawned");
    expect(spawned?.kind === "spawned" && [spawned.reason, spawned.pkt.icmpType, spawned.pkt.icmpCode, spawned.pkt.len]).toEqual(["fragmentation needed", 3, 4, 576]);
  });
});

describe("broadcast and multicast arriving on an interface (kernel scenario 33)", () => {
  const s = rulesSession("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m pkttype --pkt-type broadcast -j MARK --set-xmark 0xb/0xff\n-A INPUT -m pkttype --pkt-type multicast -j MARK --set-xmark 0xd/0xff\nCOMMIT\n");
  it("the subnet's broadcast and 255.255.255.255 come to ff:ff:ff:ff:ff:ff, as pkttype broadcast, and are delivered", () => {
    for (const dst of ["192.168.1.255", "255.255.255.255"]) {
      run(s, `send udp 192.168.1.20:5000 -> ${dst}:67 in enp3s0`);
      expect(last(s).fate).toEqual({ kind: "delivered", iface: "enp3s0" });
      expect(s.sent[s.sent.length - 1]!.input.macDst).toBe("ff:ff:ff:ff:ff:ff");
      expect(last(s).pkt.mark).toBe(0xb);
    }
  });
  it("224.0.0.1 is delivered as multicast; a group nobody joined is dropped, never routed as unicast", () => {
    run(s, "send udp 192.168.1.20:5000 -> 224.0.0.1:5353 in enp3s0 ttl 1");
    expect(last(s).fate).toEqual({ kind: "delivered", iface: "enp3s0" });
    expect(s.sent[s.sent.length - 1]!.input.macDst).toBe("01:00:5e:00:00:01");
    expect(last(s).pkt.mark).toBe(0xd);
    run(s, "send udp 192.168.1.20:5000 -> 224.0.0.251:5353 in enp3s0 ttl 1");
    expect(last(s).fate).toEqual({ kind: "unroutable", reason: "multicast group not joined here and no multicast routing (Invalid argument): dropped" });
    expect(run(s, "route get 224.0.0.251 from 192.168.1.20 iif enp3s0")).toBe("RTNETLINK answers: Invalid argument");
  });
});

describe("matches without a conntrack entry, and addrtype", () => {
  it("connmark never matches without an entry, even negated; conntrack checks only --ctstate", () => {
    const s = rulesSession(`*raw\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m connmark ! --mark 0x1 -j MARK --set-xmark 0x1/0xffffffff\n-A OUTPUT -m conntrack --ctstate INVALID --ctproto 6 -j MARK --set-xmark 0x2/0x2\nCOMMIT\n*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n`);
    run(s, "send tcp 192.168.1.88:5000 -> 192.168.1.1:80");
    expect(last(s).pkt.mark).toBe(0x2);
  });
  it("addrtype looks only at the local table: a blackholed address is UNICAST", () => {
    const s = rulesSession("*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m addrtype --dst-type UNICAST -j DROP\nCOMMIT\n");
    run(s, "route get 10.42.135.140");
    const r = run(s, "route get 10.42.135.140");
    expect(r).toContain("Invalid argument"); // blackhole: the packet cannot even be sent locally
    const t = rulesSession("*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m addrtype --dst-type UNICAST -j DROP\nCOMMIT\n");
    run(t, "send tcp 192.168.1.20:5000 -> 10.42.135.140:80 in enp3s0");
    expect(last(t).fate).toMatchObject({ kind: "dropped", table: "raw" });
  });
});
