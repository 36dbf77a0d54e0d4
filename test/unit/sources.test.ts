// Sources: the read-only live probe (with a fake host), snapshots written and read back, and
// clear messages when not root or a tool is missing. Commands are run without a shell.
import { describe, expect, it } from "vitest";
import { probeHost, loadSnapshotText, loadLive, SourceError } from "../../src/sources/load.js";
import type { Io } from "../../src/sources/io.js";
import { ARTICLE_ADDR_JSON, ARTICLE_ROUTE_JSON, ARTICLE_RULE_JSON, ARTICLE_IPSETS } from "../../src/sources/canned/article-node.js";
import { ARTICLE_RULES } from "../../src/sources/canned/article-rules.js";
import { saveRuleset } from "../../src/engine/save/save.js";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { parseIp } from "../../src/engine/model/ipv4.js";
import { Session } from "../../src/lang/session.js";
import { runLine } from "../../src/lang/commands/index.js";

function fakeHost(over: Partial<Record<string, { code: number; stdout: string; stderr?: string } | "missing">> = {}, root = true) {
  const calls: string[][] = [];
  const canonical = saveRuleset(parseRuleset(ARTICLE_RULES.replace(/^# ktrace:handle.*\n/gm, "")));
  const out: Record<string, { code: number; stdout: string; stderr?: string } | "missing"> = {
    "iptables-nft-save": { code: 0, stdout: canonical },
    "iptables-legacy-save": { code: 0, stdout: "" },
    "ip -j addr": { code: 0, stdout: ARTICLE_ADDR_JSON },
    "ip -j route show table all": { code: 0, stdout: ARTICLE_ROUTE_JSON },
    "ip -j rule": { code: 0, stdout: ARTICLE_RULE_JSON },
    "ipset save": { code: 0, stdout: ARTICLE_IPSETS },
    "nft -a list ruleset": "missing",
    "ss -Hlntu": { code: 0, stdout: "udp   UNCONN 0      0      10.42.135.130%vxlan.calico:4789      0.0.0.0:*\ntcp   LISTEN 0      4096         0.0.0.0:22         0.0.0.0:*\ntcp   LISTEN 0      4096               *:10250            *:*\ntcp   LISTEN 0      4096           [::1]:6444         [::]:*\n" },
    ...over,
  };
  const io: Io = {
    readFile: (p) => {
      if (p === "/proc/sys/kernel/hostname") return "node-7\n";
      if (p === "/proc/sys/net/ipv4/ip_forward") return "1\n";
      throw Object.assign(new Error("nope"), { code: "ENOENT" });
    },
    writeFile: () => undefined,
    exec(cmd, args) {
      calls.push([cmd, ...args]);
      const r = out[[cmd, ...args].join(" ")];
      if (!r || r === "missing") return { code: null, stdout: "", stderr: "ENOENT", missing: true };
      return { code: r.code, stdout: r.stdout, stderr: r.stderr ?? "" };
    },
    isRoot: () => root,
  };
  return { io, calls };
}

describe("live probe", () => {
  it("reads the host with read-only commands and builds a snapshot that loads", () => {
    const { io, calls } = fakeHost();
    const snap = probeHost(io);
    expect(calls.map((c) => c[0])).toEqual(["iptables-nft-save", "iptables-legacy-save", "ip", "ip", "ip", "ipset", "nft", "ss"]);
    for (const c of calls) expect(c.join(" ")).not.toMatch(/restore|-A |-I |-D |flush|add |del /);
    expect(snap.split("\n")[0]).toBe("# ktrace snapshot v1");
    const src = loadSnapshotText(snap, "node.ktrace");
    expect(src.node.hostname).toBe("node-7");
    expect(src.node.sysctl["net.ipv4.ip_forward"]).toBe("1");
    expect(src.ruleset.tables.get("nat")!.chains.get("KUBE-SERVICES")!.rules.length).toBe(7);
    expect(src.node.ipsets.get("cali40masq-ipam-pools")!.members[0]!.text).toBe("10.42.0.0/16");
    // listening sockets: an interface-bound address, the IPv4 and dual-stack wildcards; ::1 never sees IPv4
    expect(src.node.listeners).toEqual([
      { proto: "udp", addr: parseIp("10.42.135.130"), port: 4789 },
      { proto: "tcp", addr: 0, port: 22 },
      { proto: "tcp", addr: 0, port: 10250 },
    ]);
  });
  it("falls back to legacy when the nft backend is empty", () => {
    const { io } = fakeHost({ "iptables-nft-save": { code: 0, stdout: "" }, "iptables-legacy-save": { code: 0, stdout: "*filter\n:INPUT DROP [0:0]\nCOMMIT\n" } });
    expect(loadLive(io).ruleset.tables.get("filter")!.chains.get("INPUT")!.policy).toBe("DROP");
  });
  it("says plainly when not root or when a tool is missing", () => {
    expect(() => probeHost(fakeHost({}, false).io)).toThrow(new SourceError("live mode reads the host's netfilter state and must run as root (try: sudo ktrace-repl --live)"));
    expect(() => probeHost(fakeHost({ "ip -j addr": "missing" }).io)).toThrow(/live mode needs "ip", which is not installed \(Debian: apt-get install iproute2\)/);
  });
});

describe("closed ports on a node whose sockets are known", () => {
  const { io } = fakeHost();
  const s = new Session(loadLive(io), io, 1);
  const last = () => s.sent[s.sent.length - 1]!.result;
  it("a SYN to a port nobody listens on is answered with the stack's reset, in the connection's reply direction", () => {
    expect(runLine(s, "send tcp 192.168.1.20:40000 -> 192.168.1.88:7777 in enp3s0").error).toBeUndefined();
    const sp = last().events.find((e) => e.kind === "spawned");
    expect(sp?.kind === "spawned" && sp.reason).toBe("no socket listens on tcp 192.168.1.88:7777: the stack's reset");
    expect(sp?.kind === "spawned" && [sp.pkt.src, sp.pkt.dst, sp.pkt.tcpFlags, sp.pkt.len, sp.pkt.id]).toEqual([parseIp("192.168.1.88"), parseIp("192.168.1.20"), 0x14, 40, 0]);
  });
  it("UDP gets port-unreachable; listened ports, replies to our own connections and broadcasts get nothing", () => {
    expect(runLine(s, "send udp 192.168.1.20:40000 -> 192.168.1.88:7778 in enp3s0").error).toBeUndefined();
    const sp = last().events.find((e) => e.kind === "spawned");
    expect(sp?.kind === "spawned" && [sp.pkt.icmpType, sp.pkt.icmpCode]).toEqual([3, 3]);
    expect(runLine(s, "send tcp 192.168.1.20:40001 -> 192.168.1.88:22 in enp3s0").error).toBeUndefined();
    expect(last().events.some((e) => e.kind === "spawned")).toBe(false);
    expect(runLine(s, "send tcp 192.168.1.88:40002 -> 192.168.1.20:80").error).toBeUndefined();
    expect(runLine(s, "reply").error).toBeUndefined();
    expect(last().events.some((e) => e.kind === "spawned")).toBe(false);
    expect(runLine(s, "send udp 192.168.1.20:40003 -> 192.168.1.255:7778 in enp3s0").error).toBeUndefined();
    expect(last().events.some((e) => e.kind === "spawned")).toBe(false);
  });
  it("without conntrack, answers to the node's own packets still reach their socket", () => {
    const { io: plain } = fakeHost({ "iptables-nft-save": { code: 0, stdout: "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n" } });
    const p = new Session(loadLive(plain), plain, 1);
    expect(runLine(p, "send tcp 192.168.1.88:40005 -> 192.168.1.20:80").error).toBeUndefined();
    expect(runLine(p, "send tcp 192.168.1.20:80 -> 192.168.1.88:40005 in enp3s0 flags SYN,ACK").error).toBeUndefined();
    expect(p.sent[p.sent.length - 1]!.result.events.some((e) => e.kind === "spawned")).toBe(false);
    expect(runLine(p, "send tcp 192.168.1.20:80 -> 192.168.1.88:40006 in enp3s0 flags SYN,ACK").error).toBeUndefined();
    const sp = p.sent[p.sent.length - 1]!.result.events.find((e) => e.kind === "spawned");
    expect(sp?.kind === "spawned" && sp.pkt.tcpFlags).toBe(0x04); // an ACK is answered with a bare RST
  });
  it("a bad ss line names the snapshot's file and line", () => {
    const snap = probeHost(fakeHost({ "ss -Hlntu": { code: 0, stdout: "tcp LISTEN 0 1 0.0.0.0:22 0.0.0.0:*\nbogus\n" } }).io);
    const line = snap.split("\n").indexOf("bogus") + 1;
    expect(() => loadSnapshotText(snap, "n.ktrace")).toThrow(`n.ktrace:${line}:1: expected a line of ss -Hlntu (tcp|udp STATE RECV-Q SEND-Q ADDRESS:PORT PEER), got "bogus"`);
  });
});

describe("snapshots", () => {
  it("name the file and line of a bad section", () => {
    expect(() => loadSnapshotText("not a snapshot\n", "x.ktrace")).toThrow('x.ktrace:1:1: not a ktrace snapshot (the first line must be "# ktrace snapshot v1")');
    expect(() => loadSnapshotText("# ktrace snapshot v1\n## bogus\n", "x.ktrace")).toThrow("x.ktrace:2:4: unknown section");
  });
  it("point ruleset errors at the snapshot's own line numbers", () => {
    const text = `# ktrace snapshot v1\n## ip -j addr\n${ARTICLE_ADDR_JSON}\n## ip -j route show table all\n${ARTICLE_ROUTE_JSON}\n## iptables-save\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n`;
    expect(() => loadSnapshotText(text, "n.ktrace")).toThrow('n.ktrace:9:25: invalid port/service "99999" specified');
  });
});
