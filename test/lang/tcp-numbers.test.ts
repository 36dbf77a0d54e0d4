// TCP numbers in the command language: segments nobody numbered get what the two Linux stacks
// would send (so whole connections stay inside conntrack's window), hand-made ones (`seq`,
// `seq +N`) do not move the ends, a reset from a stack with no socket is numbered from what it
// answers; `sysctl`, `show conntrack window` and `break ctstate` around them.
import { describe, expect, it } from "vitest";
import { articleSession, rulesSession, run } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import type { Session } from "../../src/lang/session.js";
import type { TraceEvent } from "../../src/engine/trace/events.js";

const last = (s: Session) => s.sent[s.sent.length - 1]!;
const ctEvents = (events: TraceEvent[]) => events.filter((e): e is Extract<TraceEvent, { kind: "conntrack" }> => e.kind === "conntrack");
const FWD = "*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -m conntrack --ctstate INVALID -j DROP\nCOMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.42.54.194:8080\nCOMMIT\n";

describe("segments numbered as Linux stacks number them", () => {
  it("a whole connection (connect) stays in the window: no segment is INVALID or ignored", () => {
    const s = articleSession(71508);
    run(s, "connect tcp 192.168.1.88:49058 -> 10.43.156.98:9898 payload 81");
    const cts = s.sent.flatMap((p) => ctEvents(p.result.events));
    expect(cts.length).toBeGreaterThan(8);
    expect(cts.filter((e) => e.view.state === "INVALID" || e.view.note)).toEqual([]);
    expect(s.engine.conntrack.entries[0]!.protoState).toBe("TIME_WAIT");
  });

  it("the SYN-ACK acknowledges the SYN, the ACK acknowledges the SYN-ACK; data moves the sequence on", () => {
    const s = articleSession(71508);
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    const syn = last(s).input;
    run(s, "reply");
    const synack = last(s).input;
    expect(synack.ack).toBe((syn.seq + 1) >>> 0);
    expect(synack.seq).not.toBe(syn.seq);
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 flags ACK");
    const ack = last(s).input;
    expect(ack.seq).toBe((syn.seq + 1) >>> 0);
    expect(ack.ack).toBe((synack.seq + 1) >>> 0);
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 flags ACK,PSH payload 81");
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 flags ACK");
    expect(last(s).input.seq).toBe((syn.seq + 1 + 81) >>> 0);
  });

  it("a SYN sent again is a retransmission (same ISN); after the connection ends, a new SYN starts higher, later in time", () => {
    const s = articleSession(71508);
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    const isn = last(s).input.seq;
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    expect(last(s).input.seq).toBe(isn);
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 flags RST,ACK", "tick 1", "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    // Linux: a hash of the addresses plus a clock of 64 ns ticks — a second is 15,625,000 ticks
    expect((last(s).input.seq - isn) >>> 0).toBeGreaterThan(15_000_000);
  });

  it("seq, ack and win make a hand-made segment: the next numbered segment continues where the stack was", () => {
    const s = articleSession(71508);
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "reply", "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 flags ACK");
    const next = (last(s).input.seq + 0) >>> 0;
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 flags ACK,PSH payload 10 seq +300000");
    expect(last(s).input.seq).toBe((next + 300000) >>> 0);
    expect(last(s).result.ct?.state).toBe("INVALID");
    expect(last(s).result.ct?.note).toMatch(/is above the window's end/);
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 flags ACK,PSH payload 10 seq 5 ack 6 win 7");
    expect(last(s).input).toMatchObject({ seq: 5, ack: 6, win: 7 });
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 flags ACK");
    expect(last(s).input.seq).toBe(next);
  });

  it("`reply flags RST` to a segment that reached a stack with no socket: seq from its ACK, no options, IP id 0", () => {
    const s = rulesSession(FWD.replace("-A FORWARD -m conntrack --ctstate INVALID -j DROP\n", ""));
    run(s, "send tcp 192.168.1.20:43000 -> 10.96.0.10:80 in enp3s0", "reply", "send tcp 192.168.1.20:43000 -> 10.96.0.10:80 in enp3s0 flags ACK");
    run(s, "send tcp 10.42.54.194:8080 -> 192.168.1.20:43000 in vxlan.calico flags ACK,PSH payload 10 seq +300000");
    const escaped = last(s);
    expect(escaped.result.ct?.state).toBe("INVALID");
    expect(escaped.result.fate.kind).toBe("sent");
    run(s, "reply flags RST");
    const rst = last(s).input;
    expect(rst).toMatchObject({ seq: escaped.result.pkt.ack, len: 40, id: 0, tcpOptions: [] });
    expect(last(s).result.ct?.note).toBe("a segment with RST cannot start a connection");
  });

  it("seq takes a number or an offset; seq/ack/win are for tcp only", () => {
    const s = articleSession();
    for (const [line, msg] of [
      ["send udp 192.168.1.88:40000 -> 10.43.0.10:53 seq 5", /seq only applies to tcp/],
      ["send tcp 192.168.1.88:40000 -> 10.43.0.10:53 win 70000", /bad value "70000" for win/],
      ["send tcp 192.168.1.88:40000 -> 10.43.0.10:53 seq +99999999999", /an offset is at most/],
      ["send tcp 192.168.1.88:40000 -> 10.43.0.10:53 ack x", /bad value "x" for ack/],
    ] as const)
      expect(runLine(s, line).error, line).toMatch(msg);
  });
});

describe("sysctl", () => {
  it("shows the kernel's default, sets a value for the following packets, refuses what it does not model", () => {
    const s = rulesSession(FWD);
    expect(run(s, "sysctl net.netfilter.nf_conntrack_tcp_be_liberal")).toBe("net.netfilter.nf_conntrack_tcp_be_liberal = 0");
    run(s, "send tcp 192.168.1.20:43000 -> 10.96.0.10:80 in enp3s0", "reply", "send tcp 192.168.1.20:43000 -> 10.96.0.10:80 in enp3s0 flags ACK,PSH payload 10 seq +300000");
    expect(last(s).result.fate.kind).toBe("dropped");
    expect(run(s, "sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1")).toBe("net.netfilter.nf_conntrack_tcp_be_liberal = 1");
    run(s, "send tcp 192.168.1.20:43000 -> 10.96.0.10:80 in enp3s0 flags ACK,PSH payload 10 seq +300000");
    expect(last(s).result.ct?.state).toBe("ESTABLISHED");
    expect(last(s).result.fate.kind).toBe("sent");
    // kept across reset, like a rule changed with iptables
    run(s, "reset");
    expect(run(s, "sysctl net.netfilter.nf_conntrack_tcp_be_liberal")).toBe("net.netfilter.nf_conntrack_tcp_be_liberal = 1");
    expect(runLine(s, "sysctl net.netfilter.nf_conntrack_tcp_be_liberl=1")).toMatchObject({ error: 'column 8: ktrace does not model the sysctl "net.netfilter.nf_conntrack_tcp_be_liberl"', hint: "did you mean net.netfilter.nf_conntrack_tcp_be_liberal?" });
    expect(runLine(s, "sysctl net.ipv4.ip_forward=yes").error).toMatch(/"yes" is not a value for net\.ipv4\.ip_forward/);
    const all = run(s, "sysctl");
    expect(all).toContain("net.netfilter.nf_conntrack_tcp_timeout_established = 432000  (default)");
    expect(all).toContain("net.netfilter.nf_conntrack_tcp_be_liberal = 1\n");
  });

  it("changes only the session's node: a new session on the same source starts from the source's values", () => {
    const a = articleSession();
    run(a, "sysctl -w net.ipv4.ip_forward=0");
    expect(run(articleSession(), "sysctl net.ipv4.ip_forward")).toBe("net.ipv4.ip_forward = 1");
  });

  it("a timeout set with sysctl applies to the next entries", () => {
    const s = articleSession(71508);
    run(s, "sysctl -w net.netfilter.nf_conntrack_tcp_timeout_syn_sent=7", "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    expect(s.engine.conntrack.entries[0]!.timeout).toBe(7);
  });
});

describe("show conntrack window, break ctstate", () => {
  it("show conntrack window prints both directions' window state under each TCP entry", () => {
    const s = articleSession(71508);
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "reply");
    const text = run(s, "show conntrack window");
    const syn = s.sent[0]!.input;
    expect(text).toMatch(new RegExp(`^    original: td_end=${(syn.seq + 1) >>> 0} td_maxend=\\d+ td_maxwin=64240 td_maxack=0 wscale=7 \\[WINDOW_SCALE,SACK_PERM\\]$`, "m"));
    expect(text).toMatch(/^    reply: {4}td_end=\d+ .* \[WINDOW_SCALE,SACK_PERM,MAXACK_SET\]$/m);
    expect(runLine(s, "show conntrack windows").error).toMatch(/unexpected "windows"/);
  });

  it("break ctstate INVALID stops where conntrack marks the packet INVALID", () => {
    const s = articleSession(71508);
    s.stepByStep = true;
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 flags ACK", "continue", "break ctstate INVALID");
    s.stepByStep = true;
    run(s, "reset");
    run(s, "sysctl -w net.netfilter.nf_conntrack_tcp_loose=0", "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 flags ACK");
    const out = run(s, "continue");
    expect(out).toMatch(/^breakpoint 1: conntrack state INVALID/);
    expect(s.stepper!.position().event?.kind).toBe("conntrack");
    expect(runLine(s, "break ctstate SLEEPY").error).toMatch(/expected a conntrack state/);
  });
});
