// The ktrace-repl binary in script mode: -e and stdin, formats, errors on stderr with a
// non-zero exit while the session goes on.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../dist/ktrace-repl.js", import.meta.url));
const ktrace = (args: string[], input?: string) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", input });

describe("ktrace-repl script mode", () => {
  it("prints only xtables-monitor lines for a send", () => {
    const r = ktrace(["--format", "xtables-monitor", "-e", "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.every((l) => /^(PACKET| TRACE): 2 [0-9a-f]{8} /.test(l))).toBe(true);
    expect(lines).toHaveLength(31);
  });

  it("says on stderr why xtables-monitor output is empty", () => {
    const r = ktrace(["--format", "xtables-monitor", "-e", "send udp 10.42.135.131:40000 -> 10.43.0.10:53"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("ktrace: (nothing traced: no TRACE rule matched this packet)\n");
    const dir = mkdtempSync(join(tmpdir(), "ktrace-"));
    const f = join(dir, "plain.v4");
    writeFileSync(f, "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
    const none = ktrace(["--rules", f, "--format", "xtables-monitor", "-e", "send udp 10.42.135.131:40000 -> 10.43.0.10:53"]);
    expect(none.status).toBe(0);
    expect(none.stderr).toMatch(/^ktrace: \(nothing traced: the ruleset has no TRACE rule; add one, e\.g\. iptables -t raw -I PREROUTING -j TRACE/);
  });

  it("keeps going after an error, reports it on stderr and exits 1", () => {
    const r = ktrace(["-e", "sned tcp 1.2.3.4:1 -> 5.6.7.8:2", "-e", "route get 10.42.54.194"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('ktrace: -e:1:1: unknown command "sned" (did you mean send?)\n');
    expect(r.stdout).toBe("10.42.54.194 via 10.42.54.193 dev vxlan.calico src 10.42.135.130\n");
  });

  it("runs stdin line by line when it is not a terminal", () => {
    const r = ktrace(["--format", "json"], "send udp 10.42.135.131:40000 -> 10.43.0.10:53\n# a comment\nshow conntrack\n");
    expect(r.status).toBe(0);
    const [json, ...rest] = r.stdout.trimEnd().split("\n");
    const events = JSON.parse(json!) as { kind: string }[];
    expect(events.some((e) => e.kind === "fate")).toBe(true);
    expect(rest.join("\n")).toMatch(/^udp {6}17 29 src=10\.42\.135\.131 dst=10\.43\.0\.10 sport=40000 dport=53 \[UNREPLIED\] src=10\.42\.\d+\.\d+ dst=10\.42\.135\.131 sport=53 dport=40000 mark=0 use=1/m);
  });

  it("names file, line, column and token of a bad rules file", () => {
    const dir = mkdtempSync(join(tmpdir(), "ktrace-"));
    const f = join(dir, "rules.v4");
    writeFileSync(f, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dprot 22 -j ACCEPT\nCOMMIT\n");
    const r = ktrace(["--rules", f, "-e", "save"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`ktrace-repl: ${f}:3:24: unknown option "--dprot" for match "tcp" (did you mean --dport?)\n`);
  });

  it("loads a rules file on the article's node and saves it back byte for byte", () => {
    const dir = mkdtempSync(join(tmpdir(), "ktrace-"));
    const f = join(dir, "rules.v4");
    const text = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:A - [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -m comment --comment \"ssh from lan\" -j A\n-A A -j ACCEPT\nCOMMIT\n";
    writeFileSync(f, text);
    const r = ktrace(["--rules", f, "-e", "save"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(text);
  });

  it("rejects bad arguments with usage", () => {
    const r = ktrace(["--format", "pretty"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown --format "pretty"');
    expect(r.stderr).toContain("usage: ktrace-repl");
  });
});
