// The packet walk, scenario by scenario, on the article's node: verdicts, chains, conntrack,
// NAT, routing and fates, with seeded randomness and the simulated clock.
import { describe, expect, it } from "vitest";
import { articleSession, rulesSession, run } from "../helpers/session.js";
import { DEFAULT_POLICY_RULES } from "../../src/engine/route/lookup.js";
import type { Session } from "../../src/lang/session.js";

const tr = (s: Session, cmd: string) => {
  run(s, "format xtables-monitor");
  return run(s, cmd).replace(/ [0-9a-f]{8} /g, " <id> ").replace(/ID=\d+/g, "ID=<n>");
};
const fate = (s: Session) => s.sent[s.sent.length - 1]!.result.fate;

const TRACE_ALL = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -j TRACE
-A OUTPUT -j TRACE
COMMIT
`;

describe("chains and verdicts", () => {
  const s = rulesSession(`${TRACE_ALL}*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT DROP [0:0]
:A - [0:0]
:B - [0:0]
-A OUTPUT -p tcp -m tcp --dport 80 -j A
-A OUTPUT -p tcp -m tcp --dport 81 -g B
-A OUTPUT -p tcp -m tcp --dport 82 -j REJECT --reject-with tcp-reset
-A OUTPUT -p tcp -m tcp --dport 83 -j ACCEPT
-A A -j RETURN
-A B -p tcp
COMMIT
`);
  it("jump then RETURN (0xfffffffb) then the policy", () => {
    const out = tr(s, "send tcp 192.168.1.88:1000 -> 192.168.1.1:80");
    expect(out).toContain(" TRACE: 2 <id> filter:OUTPUT:rule:0x6:JUMP:A  -4 -t filter -A OUTPUT -p tcp -m tcp --dport 80 -j A");
    expect(out).toContain(" TRACE: 2 <id> filter:A:rule:0xa:0xfffffffb  -4 -t filter -A A -j RETURN");
    expect(out).toContain(" TRACE: 2 <id> filter:OUTPUT:policy:DROP ");
    expect(fate(s)).toMatchObject({ kind: "dropped", by: "policy", chain: "OUTPUT" });
  });
  it("goto: the end of the goto'd chain returns past its caller", () => {
    const out = tr(s, "send tcp 192.168.1.88:1000 -> 192.168.1.1:81");
    expect(out).toContain("filter:OUTPUT:rule:0x7:GOTO:B");
    expect(out).toContain("filter:B:rule:0xb:CONTINUE  -4 -t filter -A B -p tcp");
    expect(out.trimEnd().split("\n").pop()).toBe(" TRACE: 2 <id> filter:OUTPUT:policy:DROP");
  });
  it("REJECT traces as DROP and the fate says rejected", () => {
    const out = tr(s, "send tcp 192.168.1.88:1000 -> 192.168.1.1:82");
    expect(out).toContain("filter:OUTPUT:rule:0x8:DROP  -4 -t filter -A OUTPUT -p tcp -m tcp --dport 82 -j REJECT --reject-with tcp-reset");
    expect(fate(s)).toMatchObject({ kind: "rejected", with: "tcp-reset" });
  });
  it("ACCEPT ends the chain without a policy line and the packet leaves by the default route", () => {
    const out = tr(s, "send tcp 192.168.1.88:1000 -> 8.8.8.8:83");
    expect(out).not.toContain("filter:OUTPUT:policy");
    expect(fate(s)).toMatchObject({ kind: "sent", iface: "enp3s0", nexthop: "192.168.1.1" });
  });
});

describe("conntrack and NAT", () => {
  const rules = `${TRACE_ALL}*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A OUTPUT -d 10.96.0.1/32 -p tcp -m tcp --dport 443 -j DNAT --to-destination 192.168.1.50:6443
-A POSTROUTING -o enp3s0 -j MASQUERADE
COMMIT
`;
  it("nat runs only for the first packet; later ones are rewritten from the entry", () => {
    const s = rulesSession(rules);
    const first = tr(s, "send tcp 192.168.1.88:40000 -> 10.96.0.1:443");
    expect(first).toContain("nat:OUTPUT:rule:0x5:ACCEPT");
    run(s, "reply");
    const second = tr(s, "send tcp 192.168.1.88:40000 -> 10.96.0.1:443 flags ACK");
    expect(second).not.toContain("nat:");
    const r = s.sent[s.sent.length - 1]!.result;
    expect(r.ct?.state).toBe("ESTABLISHED");
    expect(r.fate).toMatchObject({ kind: "sent", iface: "enp3s0" });
    expect(`${r.pkt.dst >>> 24}.${(r.pkt.dst >>> 16) & 255}.${(r.pkt.dst >>> 8) & 255}.${r.pkt.dst & 255}:${r.pkt.dport}`).toBe("192.168.1.50:6443");
  });
  it("MASQUERADE keeps a free source port (no --random-fully) and uses the interface address", () => {
    const s = rulesSession(rules);
    run(s, "send tcp 192.168.1.88:40000 -> 10.96.0.1:443");
    const e = s.engine.conntrack.entries[0]!;
    expect(e.reply.dport).toBe(40000);
  });
  it("without any rule that needs conntrack the nat table never runs", () => {
    const s = rulesSession(`${TRACE_ALL}*nat
:OUTPUT ACCEPT [0:0]
-A OUTPUT -p tcp -j ACCEPT
COMMIT
`);
    const out = tr(s, "send tcp 192.168.1.88:40000 -> 10.96.0.1:443");
    expect(out).not.toContain("nat:");
    run(s, "format explain");
    expect(run(s, "send tcp 192.168.1.88:40001 -> 10.96.0.1:443")).toContain("conntrack is not active");
  });
  it("CT --notrack makes the packet UNTRACKED and skips NAT", () => {
    const s = rulesSession(`*raw
:OUTPUT ACCEPT [0:0]
-A OUTPUT -j CT --notrack
COMMIT
${rules.slice(rules.indexOf("*nat"))}*filter
:OUTPUT ACCEPT [0:0]
-A OUTPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
COMMIT
`);
    run(s, "format explain");
    const out = run(s, "send tcp 192.168.1.88:40000 -> 10.96.0.1:443");
    expect(out).toContain("OUTPUT conntrack: UNTRACKED (no entry)");
    expect(out).toContain("packet is not tracked");
    expect(out).toMatch(/filter OUTPUT[\s\S]*OUTPUT #1 {2}✓ ACCEPT/);
  });
});

describe("forwarding, loopback and routing", () => {
  const s = rulesSession(`${TRACE_ALL}*filter
:FORWARD ACCEPT [0:0]
-A FORWARD -m ttl --ttl-eq 63 -j ACCEPT
COMMIT
`);
  it("a forwarded packet sees its TTL decremented in FORWARD", () => {
    const out = tr(s, "send tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0");
    expect(out).toMatch(/PACKET: 2 <id> IN=enp3s0 MACSRC=2:42:c0:a8:1:1 MACDST=58:47:ca:71:5e:3a MACPROTO=0800 SRC=192\.168\.1\.20 DST=10\.42\.54\.194 LEN=60 TOS=0x0 TTL=64 /);
    expect(out).toContain("filter:FORWARD:rule:0x2:ACCEPT  -4 -t filter -A FORWARD -m ttl --ttl-eq 63 -j ACCEPT");
    expect(out).toMatch(/IN=enp3s0 OUT=vxlan\.calico .*TTL=63/);
    expect(fate(s)).toMatchObject({ kind: "sent", iface: "vxlan.calico", nexthop: "10.42.54.193" });
  });
  it("a packet to a local address loops back through lo", () => {
    const out = tr(s, "send tcp 192.168.1.88:5000 -> 192.168.1.88:22");
    expect(out).toContain("OUT=lo");
    expect(out).toContain("IN=lo LOOPBACK SRC=192.168.1.88");
    expect(fate(s)).toMatchObject({ kind: "delivered", iface: "lo" });
  });
  it("a blackholed destination is not routable and no hook runs", () => {
    const out = tr(s, "send tcp 192.168.1.88:5000 -> 10.42.135.140:80");
    expect(out).toBe("");
    expect(fate(s)).toMatchObject({ kind: "unroutable" });
  });
  it("route get answers like ip route get", () => {
    expect(run(s, "route get 10.42.54.194")).toBe("10.42.54.194 via 10.42.54.193 dev vxlan.calico src 10.42.135.130");
    // measured on 6.18: the local table is named only when the node has policy rules of its own
    expect(run(s, "route get 192.168.1.88")).toBe("local 192.168.1.88 dev lo src 192.168.1.88");
    // an arriving packet's lookup says "from", never src; local delivery is dev lo
    expect(run(s, "route get 10.42.54.194 from 192.168.1.20 iif enp3s0")).toBe("10.42.54.194 from 192.168.1.20 via 10.42.54.193 dev vxlan.calico");
    expect(run(s, "route get 192.168.1.88 from 192.168.1.20 iif enp3s0")).toBe("local 192.168.1.88 from 192.168.1.20 dev lo");
    expect(run(s, "route get 192.168.1.255 from 192.168.1.20 iif enp3s0")).toBe("broadcast 192.168.1.255 from 192.168.1.20 dev lo");
    expect(run(s, "route get 8.8.8.8 from 192.168.1.88")).toBe("8.8.8.8 from 192.168.1.88 via 192.168.1.1 dev enp3s0");
    expect(run(s, "route get 192.168.1.255")).toBe("broadcast 192.168.1.255 dev enp3s0 src 192.168.1.88");
    const custom = articleSession();
    custom.engine.node.rules.push(...DEFAULT_POLICY_RULES, { priority: 100, not: false, fwmark: 7, table: 100, action: "lookup" });
    expect(run(custom, "route get 192.168.1.88")).toBe("local 192.168.1.88 dev lo table local src 192.168.1.88");
  });
});

describe("the stack's own ICMP errors", () => {
  it("forwarding with TTL 1 sends time-exceeded back, RELATED, skipping nat (as kernel scenario 31)", () => {
    const s = rulesSession(`*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A OUTPUT -p icmp -m conntrack --ctstate RELATED -j MARK --set-xmark 0x5/0xff
COMMIT
`);
    run(s, "send udp 192.168.1.20:5000 -> 10.42.54.194:53 in enp3s0 ttl 1");
    const r = s.sent[s.sent.length - 1]!.result;
    expect(r.fate.kind).toBe("not-forwarded");
    const spawned = r.events.find((e) => e.kind === "spawned");
    expect(spawned?.kind === "spawned" && spawned.reason).toBe("TTL exceeded in transit");
    if (spawned?.kind !== "spawned") return;
    expect([spawned.pkt.icmpType, spawned.pkt.icmpCode, spawned.pkt.tos, spawned.pkt.len]).toEqual([11, 0, 0xc0, 61]);
    expect(spawned.fate).toMatchObject({ kind: "sent", iface: "enp3s0" });
    expect(JSON.stringify(spawned.events)).toContain("0x5");
  });
  it("icmp_ratelimit: six errors at once per destination, then one per second of the simulated clock", () => {
    const s = rulesSession("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
    const answered = (cmd: string) => {
      run(s, cmd);
      const evs = s.sent[s.sent.length - 1]!.result.events;
      return evs.some((e) => e.kind === "spawned") ? "sent" : evs.some((e) => e.kind === "suppressed") ? "limited" : "none";
    };
    const ttl1 = (src: string) => `send udp ${src}:5000 -> 10.42.54.194:53 in enp3s0 ttl 1`;
    const first = Array.from({ length: 7 }, () => answered(ttl1("192.168.1.20")));
    expect(first).toEqual(["sent", "sent", "sent", "sent", "sent", "sent", "limited"]);
    expect(answered(ttl1("192.168.1.21"))).toBe("sent"); // another destination has its own bucket
    // fragmentation-needed is never limited
    expect(answered("send udp 192.168.1.20:5001 -> 10.42.54.194:53 in enp3s0 len 1500")).toBe("sent");
    run(s, "tick 1");
    expect([answered(ttl1("192.168.1.20")), answered(ttl1("192.168.1.20"))]).toEqual(["sent", "limited"]);
    expect(run(s, "format explain", ttl1("192.168.1.20"))).toContain("but it is not sent: icmp_ratelimit: 6 errors at once to one destination, then one per 1000 ms");
  });
  it("an ICMP error is never answered with another", () => {
    const s = rulesSession("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
    run(s, "send icmp 192.168.1.20 -> 10.42.54.194 in enp3s0 type 3 code 1 ttl 1");
    const r = s.sent[s.sent.length - 1]!.result;
    expect(r.events.some((e) => e.kind === "spawned")).toBe(false);
    expect(r.fate).toEqual({ kind: "not-forwarded", reason: "TTL exceeded (no ICMP error about an ICMP error)" });
  });
});

describe("stateful matches on the simulated clock", () => {
  it("recent: --set, then --rcheck --hitcount within --seconds", () => {
    const s = rulesSession(`*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 22 -m recent --rcheck --seconds 60 --hitcount 2 --name SSH --rsource -j DROP
-A INPUT -p tcp -m tcp --dport 22 -m recent --set --name SSH --rsource
COMMIT
`);
    const send = () => {
      run(s, "send tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0");
      return fate(s).kind;
    };
    expect(send()).toBe("delivered");
    expect(send()).toBe("delivered");
    expect(send()).toBe("dropped");
    run(s, "tick 61");
    expect(send()).toBe("delivered");
  });
  it("recent: `! --update` records when the rule matched (an address seen too long ago), as measured", () => {
    const s = rulesSession(`*filter
:INPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 1 -m recent --set --name T --mask 255.255.255.255 --rsource
-A INPUT -p udp -m udp --dport 2 -m recent ! --update --seconds 10 --name T --mask 255.255.255.255 --rsource -j DROP
-A INPUT -p udp -m udp --dport 3 -m recent --rcheck --seconds 10 --name T --mask 255.255.255.255 --rsource -j DROP
COMMIT
`);
    const send = (port: number) => {
      run(s, `send udp 192.168.1.20:5000 -> 192.168.1.88:${port} in enp3s0`);
      return fate(s).kind;
    };
    expect(send(1)).toBe("delivered");
    expect(send(2)).toBe("delivered"); // seen within 10 s: the negated match fails, nothing recorded
    run(s, "tick 20");
    expect(send(3)).toBe("delivered"); // the last record is 20 s old
    expect(send(2)).toBe("dropped"); // too long ago: the rule matches and records now
    expect(send(3)).toBe("dropped");
  });
  it("recent --rttl: an entry recorded with TTL 0 matches any TTL (measured)", () => {
    const s = rulesSession(`*filter
:INPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 1 -m recent --set --name Z --mask 255.255.255.255 --rsource
-A INPUT -p udp -m udp --dport 2 -m recent --rcheck --rttl --name Z --mask 255.255.255.255 --rsource -j DROP
COMMIT
`);
    run(s, "send udp 192.168.1.20:5000 -> 192.168.1.88:1 in enp3s0 ttl 0");
    run(s, "send udp 192.168.1.20:5000 -> 192.168.1.88:2 in enp3s0 ttl 64");
    expect(fate(s).kind).toBe("dropped");
  });
  it("recent --rttl compares a forwarded packet's TTL as it was before forwarding", () => {
    const s = rulesSession(`*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p udp -m recent --set --name F --mask 255.255.255.255 --rsource
-A FORWARD -p udp -m recent --rcheck --rttl --name F --mask 255.255.255.255 --rsource -j DROP
COMMIT
`);
    run(s, "send udp 192.168.1.20:5000 -> 10.42.54.194:53 in enp3s0");
    expect(fate(s).kind).toBe("dropped");
  });
  it("statistic nth: every 3rd packet, starting with packet index --packet", () => {
    const s = rulesSession(`*filter
:INPUT ACCEPT [0:0]
-A INPUT -m statistic --mode nth --every 3 --packet 0 -j DROP
COMMIT
`);
    const kinds = Array.from({ length: 6 }, () => {
      run(s, "send udp 192.168.1.20:5000 -> 192.168.1.88:53 in enp3s0");
      return fate(s).kind;
    });
    expect(kinds).toEqual(["dropped", "delivered", "delivered", "dropped", "delivered", "delivered"]);
  });
  it("limit: a burst of 2, then one per second", () => {
    const s = rulesSession(`*filter
:INPUT DROP [0:0]
-A INPUT -m limit --limit 1/sec --limit-burst 2 -j ACCEPT
COMMIT
`);
    const go = () => {
      run(s, "send icmp 192.168.1.20 -> 192.168.1.88 in enp3s0");
      return fate(s).kind;
    };
    expect([go(), go(), go()]).toEqual(["delivered", "delivered", "dropped"]);
    run(s, "tick 1");
    expect(go()).toBe("delivered");
  });
});
