// Sources: the read-only live probe (with a fake host), snapshots written and read back, and
// clear messages when not root or a tool is missing. Commands are run without a shell.
import { describe, expect, it } from "vitest";
import { probeHost, loadSnapshotText, loadLive, SourceError } from "../../src/sources/load.js";
import type { Io } from "../../src/sources/io.js";
import { ARTICLE_ADDR_JSON, ARTICLE_ROUTE_JSON, ARTICLE_RULE_JSON, ARTICLE_IPSETS } from "../../src/sources/canned/article-node.js";
import { ARTICLE_RULES } from "../../src/sources/canned/article-rules.js";
import { saveRuleset } from "../../src/engine/save/save.js";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";

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
    expect(calls.map((c) => c[0])).toEqual(["iptables-nft-save", "iptables-legacy-save", "ip", "ip", "ip", "ipset", "nft"]);
    for (const c of calls) expect(c.join(" ")).not.toMatch(/restore|-A |-I |-D |flush|add |del /);
    expect(snap.split("\n")[0]).toBe("# ktrace snapshot v1");
    const src = loadSnapshotText(snap, "node.ktrace");
    expect(src.node.hostname).toBe("node-7");
    expect(src.node.sysctl["net.ipv4.ip_forward"]).toBe("1");
    expect(src.ruleset.tables.get("nat")!.chains.get("KUBE-SERVICES")!.rules.length).toBe(7);
    expect(src.node.ipsets.get("cali40masq-ipam-pools")!.members[0]!.text).toBe("10.42.0.0/16");
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
