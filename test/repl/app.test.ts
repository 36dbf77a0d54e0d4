// The ink app rendered with ink-testing-library (fixed 100 columns): typing a command runs it,
// the status line follows the packet, the chain view highlights the rule under the cursor, Tab
// completes, errors are one line with a hint.
import { afterEach, describe, expect, it } from "vitest";
import { articleSession } from "../helpers/session.js";
import { startApp } from "../helpers/repl.js";

process.env.NO_COLOR = "1";
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

async function start() {
  const s = articleSession(71508);
  s.stepByStep = true;
  const app = await startApp(s, 30);
  cleanup = app.unmount;
  return app;
}

describe("REPL app", () => {
  it("shows the banner, the scenario hint and a prompt", async () => {
    const { r } = await start();
    expect(r.lastFrame()).toContain("ktrace — The node from");
    expect(r.lastFrame()).toContain("try: send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    expect(r.lastFrame()).toContain("ktrace›");
  });

  it("during an exercise the status line asks its question, not for a packet that would answer it", async () => {
    const { r, type } = await start();
    await type("exercise sep seed 7\r");
    const lines = r.lastFrame()!.trimEnd().split("\n");
    // the line above the prompt
    expect(lines.at(-2)).toBe("exercise sep (seed 7): Which KUBE-SEP chain does the packet take? — type: answer YOUR ANSWER");
  });

  it("runs commands; the status line and chain view follow the cursor", async () => {
    const { r, type } = await start();
    await type("send tcp 192.168.1.88:49058 -> 10.43.156.98:9898\r");
    await type("step 2\r");
    const f = r.lastFrame()!;
    expect(f).toContain("raw cali-OUTPUT (3 rules)");
    expect(f).toMatch(/▶ {3}1 {2}-m comment --comment "cali:njdnLwYeGqBJyMxW" -j MARK/);
    expect(f).toContain("@ OUTPUT ▸ raw ▸ OUTPUT → cali-OUTPUT ▸ rule #1 | tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
  });

  it("the chain view counts one rule as one rule", async () => {
    const { r, type } = await start();
    await type("send tcp 192.168.1.88:49058 -> 10.43.156.98:9898\r");
    await type("break chain KUBE-MARK-MASQ\r");
    await type("continue\r");
    expect(r.lastFrame()).toContain("nat KUBE-MARK-MASQ (1 rule)");
  });

  it("Tab completes a chain name", async () => {
    const { r, type } = await start();
    await type("show chain nat KUBE-SVC-Y4");
    await type("\t");
    expect(r.lastFrame()).toContain("ktrace› show chain nat KUBE-SVC-Y4T5L63IYP3YFEBS");
  });

  it("a bad command is one error line with a hint, and the session goes on", async () => {
    const { r, type, all } = await start();
    await type("shwo state\r");
    expect(all()).toContain('error: column 1: unknown command "shwo"');
    expect(all()).toContain("hint: did you mean show?");
    await type("route get 10.42.54.194\r");
    expect(r.lastFrame()).toContain("10.42.54.194 via 10.42.54.193 dev vxlan.calico src 10.42.135.130");
  });

  it("up recalls the previous command", async () => {
    const { r, type } = await start();
    await type("help send\r");
    await type("\u001b[A");
    expect(r.lastFrame()).toContain("ktrace› help send");
  });

  it("long work runs in slices: a progress bar, keys still echo, a line typed meanwhile waits, Ctrl-C stops it", async () => {
    const { r, type } = await start();
    await type("send tcp 192.168.1.88:49058 -> 10.43.156.98:9898\r");
    await type("stats 1000000\r");
    await new Promise((res) => setTimeout(res, 700));
    expect(r.lastFrame()).toMatch(/stats 1000000 {2}[█░]{20} +\d+% {2}[\d,]+ of 1,000,000 connections — Ctrl-C stops it/);
    // the prompt still takes keys while the work goes on; the line waits its turn
    await type("where\r");
    await type("\u0003");
    await new Promise((res) => setTimeout(res, 200));
    const frame = r.lastFrame()!;
    expect(frame).toMatch(/error: interrupted after [\d,]+ of 1,000,000 connections/);
    expect(frame).not.toContain("Ctrl-C stops it");
    // Ctrl-C dropped the waiting line too; the session goes on
    await type("where\r");
    expect(r.lastFrame()).toMatch(/routing decision|OUTPUT ▸ raw/);
  });

  it("a short stats finishes at once, with no progress bar", async () => {
    const { r, type } = await start();
    await type("send tcp 192.168.1.88:49058 -> 10.43.156.98:9898\r");
    await type("stats 300\r");
    expect(r.lastFrame()).toContain("300 new connections:");
    expect(r.frames.join("\n")).not.toContain("Ctrl-C stops it");
  });

  it("Ctrl-L clears the screen and keeps the line being typed", async () => {
    const { r, type } = await start();
    const prompt = () => r.lastFrame()!.split("\n").findLast((l) => l.startsWith("ktrace›"));
    await type("route get 10.43.156.98\r");
    await type("ab");
    const before = r.frames.length;
    await type("\x0c"); // Ctrl-L
    await type("cd");
    expect(r.frames.slice(before).some((f) => f.includes("\x1b[2J"))).toBe(true);
    expect(prompt()).toBe("ktrace› abcd");
  });

  it("Ctrl-U and Ctrl-W edit the line, and what is typed next is kept (first thing typed, or after a command)", async () => {
    const { r, type } = await start();
    const prompt = () => r.lastFrame()!.split("\n").findLast((l) => l.startsWith("ktrace›"));
    await type("abc");
    await type("\x15"); // Ctrl-U, before any command ran
    await type("def");
    expect(prompt()).toBe("ktrace› def");
    await type("\x15");
    await type("g");
    await type("h");
    expect(prompt()).toBe("ktrace› gh");
    await type(" ij kl");
    await type("\x17"); // Ctrl-W
    await type("m");
    expect(prompt()).toBe("ktrace› gh ij m");
    await type("\r");
    await type("show state");
    await type("\x15");
    await type("where");
    expect(prompt()).toBe("ktrace› where");
    // Ctrl-U in the same burst as other keys (a paste, or tmux send-keys): done, not kept in the line
    await type("\x15");
    await type("abc\x15sh");
    expect(prompt()).toBe("ktrace› sh");
    await type("ow\x15where");
    expect(prompt()).toBe("ktrace› where");
    await type("\x15");
    // after Tab listed candidates (ink's key listeners then run in the other order)
    for (let i = 0; i < 3; i++) {
      await type("\x15");
      await type("s");
      await type("\t");
      await type("\x15");
      await type("def");
      expect(prompt()).toBe("ktrace› def");
      await type("\x04"); // Ctrl-D on a line with text, and a Ctrl key with no job: nothing inserted
      await type("\x01");
      await type("g");
      await type("h"); // and the cursor stays at the end
      expect(prompt()).toBe("ktrace› defgh");
    }
  });
});
