// Script mode reads standard input as a stream: any size, any pace, CRLF or no final newline —
// the lines run as they arrive, and a 100 kB line is one clear error, not a crash.
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../dist/ktrace-repl.js", import.meta.url));
const SEND = "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898";
const ktrace = (input: string, args: string[] = []) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", input, maxBuffer: 1 << 26 });

describe("script mode on standard input", () => {
  it("a 100,000-character line is one error that says its length; the next line still runs", () => {
    const r = ktrace(`${"a".repeat(100_000)}\n${SEND}\n`, ["--format", "xtables-monitor"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ktrace: <stdin>:1:1: unknown command "a{40}…" \(100000 characters\)/);
    expect(r.stderr.length).toBeLessThan(400);
    expect(r.stdout).toMatch(/^PACKET: 2 [0-9a-f]{8} OUT=enp3s0 SRC=192\.168\.1\.88 DST=10\.43\.156\.98 /);
  });

  it("CRLF line ends and a missing final newline", () => {
    const r = ktrace(`format xtables-monitor\r\n${SEND}\r\nshow conntrack`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SYN_SENT src=192\.168\.1\.88 dst=10\.43\.156\.98 sport=49058 dport=9898 \[UNREPLIED\]/);
  });

  it("errors name the stdin line and column; the exit status is 1", () => {
    const r = ktrace(`seed 3\nsend tcp 1.2.3.4:5 -> nowhere:80\nquit now\n`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ktrace: <stdin>:2:\d+: /m);
    expect(r.stderr).toMatch(/^ktrace: <stdin>:3:6: quit takes no arguments/m);
  });

  it("a slow writer: each line runs when it arrives, before input ends", async () => {
    const child = spawn(process.execPath, [CLI], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    const firstOutput = new Promise<void>((resolve) => child.stdout.on("data", (d: Buffer) => ((out += d.toString()), resolve())));
    child.stdin.write(`${SEND}\n`);
    await firstOutput; // output arrived while stdin is still open
    expect(out).toMatch(/^  route: ip route get 10\.43\.156\.98 /);
    child.stdin.write("reply\n");
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(out).toMatch(/FATE: delivered to a local socket \(in on vxlan\.calico\) as tcp 10\.43\.156\.98:9898 -> 192\.168\.1\.88:49058 SYN,ACK/);
  });
});
