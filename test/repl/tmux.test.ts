// End to end: the real ktrace-repl binary in a real terminal (tmux), driven by keystrokes and
// read back from the screen — send, into nat, show state, show chain, a typo, back, continue
// to POSTROUTING, quit. CI=true is set on purpose: the REPL must draw its prompt even then.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = fileURLToPath(new URL("../../dist/ktrace-repl.js", import.meta.url));
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
if (!hasTmux && process.env.CI === "true") throw new Error("CI=true but tmux is not installed: the REPL end-to-end test cannot run");
if (!hasTmux) console.warn("tmux not found: skipping the REPL end-to-end test (apt-get install tmux)");

const session = `ktrace-e2e-${process.pid}`;
const tmux = (...args: string[]) => spawnSync("tmux", args, { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-t", session, "-p", "-S", "-2000").stdout;

async function until(pred: (s: string) => boolean, what: string, ms = 8000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = screen();
    if (pred(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Types a line like a person: the text, then Enter as its own key. */
async function typeLine(text: string, expect: string) {
  const before = screen().split(`ktrace› ${text}`).length;
  tmux("send-keys", "-t", session, "-l", text);
  await new Promise((r) => setTimeout(r, 60));
  tmux("send-keys", "-t", session, "Enter");
  // the expected text must show up after this command's echo, not earlier on the screen
  return until((s) => {
    const parts = s.split(`ktrace› ${text}`);
    return parts.length > before && parts[parts.length - 1]!.includes(expect);
  }, `"${expect}" after ${text}`);
}

afterAll(() => {
  if (hasTmux) tmux("kill-session", "-t", session);
});

describe.skipIf(!hasTmux)("ktrace-repl in a terminal", () => {
  it("follows the article's packet step by step", async () => {
    const home = mkdtempSync(join(tmpdir(), "ktrace-home-"));
    tmux("kill-session", "-t", session);
    const r = tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "50", `env KTRACE_HISTORY=${home}/h NO_COLOR=1 CI=true ${process.execPath} ${BIN}`);
    expect(r.status).toBe(0);
    await until((s) => s.includes("ktrace›"), "the prompt");

    await typeLine("send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "routing decision (output)");
    await typeLine("break table nat OUTPUT", "breakpoint 1: table nat OUTPUT");
    await typeLine("continue", "breakpoint 1: table nat OUTPUT");
    let s = await typeLine("step 3", "@ OUTPUT ▸ nat ▸");
    expect(s.split("ktrace› step 3").pop()).toMatch(/@ OUTPUT ▸ nat ▸ OUTPUT → cali-OUTPUT/);

    s = await typeLine("show state", "state of the packet:");
    expect(s).toContain("Destination IP address: 10.43.156.98");

    s = await typeLine("show chain nat KUBE-SVC-Y4T5L63IYP3YFEBS", "# iptables-save form (-t nat)");
    expect(s).toContain("-A KUBE-SVC-Y4T5L63IYP3YFEBS -m comment --comment \"podinfo/frontend-podinfo:http -> 10.42.54.194:9898\" -j KUBE-SEP-OYNVDBAPYJ623W6H");

    s = await typeLine("shwo conntrack", 'unknown command "shwo"');
    expect(s).toContain("hint: did you mean show?");

    const whereNow = () => typeLine("where", "jump stack:").then((x) => x.split("ktrace› where").pop()!.split("ktrace›")[0]!.trim());
    const beforeBack = await whereNow();
    await typeLine("step", "@ ");
    await typeLine("back", "@ ");
    expect(await whereNow()).toBe(beforeBack);

    await typeLine("break hook POSTROUTING", "breakpoint 2: hook POSTROUTING");
    s = await typeLine("continue", "breakpoint 2: hook POSTROUTING");
    expect(s).toMatch(/@ POSTROUTING ▸ mangle/);

    tmux("send-keys", "-t", session, "-l", "quit");
    tmux("send-keys", "-t", session, "Enter");
    const last = screen();
    // the program exits, and with it the tmux session
    const end = Date.now() + 5000;
    while (tmux("has-session", "-t", `=${session}`).status === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(tmux("has-session", "-t", `=${session}`).status, last).not.toBe(0);
  }, 60_000);
});
