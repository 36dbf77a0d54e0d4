// Output too long for the terminal is cut with a count and a way to get all of it, and
// `COMMAND > FILE` writes all of it — checked on the pure helpers and in the rendered REPL.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cutLongOutput, redirectOf } from "../../src/lang/long-output.js";
import { runCell } from "../../src/notebook/cell.js";
import { splitWords } from "../../src/lang/words.js";
import { Session } from "../../src/lang/session.js";
import { loadCanned } from "../../src/sources/load.js";
import { nodeIo } from "../../src/sources/io.js";
import { startApp } from "../helpers/repl.js";
import { runLine } from "../../src/lang/commands/index.js";

process.env.NO_COLOR = "1";
let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

describe("long output", () => {
  it("keeps short output whole and cuts long output at a line, counting the rest", () => {
    const lines = Array.from({ length: 2500 }, (_, i) => `line ${i + 1}`);
    expect(cutLongOutput(lines.slice(0, 1000).join("\n"))).toBe(lines.slice(0, 1000).join("\n"));
    const cut = cutLongOutput(lines.join("\n")).split("\n");
    expect(cut).toHaveLength(1001);
    expect(cut[999]).toBe("line 1000");
    expect(cut[1000]).toMatch(/^… 1,500 more lines not shown \(\d+ KB in all\): add > FILE to the command/);
    expect(cutLongOutput("a\nb\nc", 2)).toMatch(/^a\nb\n… 1 more line not shown \(1 KB in all\)/);
  });

  it("reads `> FILE` at the end of a line, and never the arrow of a packet or a quoted >", () => {
    const split = (line: string) => {
      const r = redirectOf(line, splitWords(line));
      return { command: r.words.map((w) => w.text).join(" "), file: r.file?.text, col: r.file?.col };
    };
    expect(split("iptables -t nat -L -n > nat.txt")).toEqual({ command: "iptables -t nat -L -n", file: "nat.txt", col: 25 });
    expect(split("save >out.rules")).toEqual({ command: "save", file: "out.rules", col: 7 });
    expect(split("send tcp 1.2.3.4:5 -> 6.7.8.9:80")).toEqual({ command: "send tcp 1.2.3.4:5 -> 6.7.8.9:80", file: undefined, col: undefined });
    expect(split("send tcp 1.2.3.4:5 -> 6.7.8.9:80 > walk.txt").file).toBe("walk.txt");
    expect(split('iptables -A INPUT -m comment --comment ">" -j ACCEPT').file).toBeUndefined();
    expect(split('iptables -A INPUT -m comment --comment ">x"').file).toBeUndefined();
    expect(split("> x").file).toBeUndefined(); // nothing to run: the command word is ">"
    expect(() => split("save >")).toThrow("> needs a file name");
    expect(() => split("save >> all.rules")).toThrow("appending (>>) is not supported");
    expect(() => split("save >>all.rules")).toThrow("appending (>>) is not supported");
  });

  it("any command, from any front end: the file gets the text, the screen a line saying so; a failed command leaves it empty", () => {
    const s = new Session(loadCanned("article"), nodeIo, 71508); // files are really written
    const dir = mkdtempSync(join(tmpdir(), "ktrace-out-"));
    try {
      const walk = runLine(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898").text;
      runLine(s, "reset");
      const r = runLine(s, `send tcp 192.168.1.88:49058 -> 10.43.156.98:9898 > ${join(dir, "walk.txt")}`);
      expect(r.error).toBeUndefined();
      expect(r.text).toBe(`wrote ${walk.split("\n").length} lines to ${join(dir, "walk.txt")}`);
      expect(readFileSync(join(dir, "walk.txt"), "utf8")).toBe(`${walk}\n`);
      const bad = runLine(s, `show chain nat NOPE > ${join(dir, "x")}`);
      expect(bad.error).toBeDefined();
      expect(readFileSync(join(dir, "x"), "utf8")).toBe(""); // opened before the command ran, as a shell does
      const unwritable = runLine(s, `save > ${join(dir, "none", "x")}`);
      expect(unwritable.error).toBe(`column 8: cannot write "${join(dir, "none", "x")}": ENOENT (the command did not run)`);
      // the file is opened first: a command that changes the ruleset does not run when it cannot be written
      const before = runLine(s, "save").text;
      expect(runLine(s, `iptables -t filter -A INPUT -j ACCEPT > ${join(dir, "none", "x")}`).error).toMatch(/did not run/);
      expect(runLine(s, "save").text).toBe(before);
      // a command that ends the session still does, its (empty) output in the file
      const q = runLine(s, `quit > ${join(dir, "q.txt")}`);
      expect(q.quit).toBe(true);
      expect(readFileSync(join(dir, "q.txt"), "utf8")).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("in the REPL: a long listing is cut, and with > FILE all of it is written", async () => {
    const s = new Session(loadCanned("article"), nodeIo, 71508); // files are really written
    const dir = mkdtempSync(join(tmpdir(), "ktrace-out-"));
    const file = join(dir, "nat.txt");
    // a table long enough to cut: 1,200 rules in a user chain
    runLine(s, "iptables -t nat -N BIG");
    for (let i = 0; i < 1200; i++) runLine(s, `iptables -t nat -A BIG -d 10.9.${i >> 8}.${i & 255}/32 -j RETURN`);
    const whole = runLine(s, "iptables -t nat -L -n").text;
    const app = await startApp(s, 60);
    cleanup = () => {
      app.unmount();
      rmSync(dir, { recursive: true, force: true });
    };
    await app.type("iptables -t nat -L -n\r");
    const shown = app.r.lastFrame()!;
    expect(shown).toMatch(/… [\d,]+ more lines not shown \(\d+ KB in all\): add > FILE to the command/);
    expect(shown).not.toContain("10.9.4.175");
    await app.type(`iptables -t nat -L -n > ${file}\r`);
    expect(app.r.lastFrame()).toContain(`wrote ${whole.split("\n").length.toLocaleString("en-US")} lines to ${file}`);
    expect(readFileSync(file, "utf8")).toBe(`${whole}\n`);
    await app.type(`iptables -t nat -L NOPE > ${join(dir, "x.txt")}\r`);
    expect(app.r.lastFrame()).toContain("error:");
    expect(readFileSync(join(dir, "x.txt"), "utf8")).toBe("");
    await app.type(`save > ${join(dir, "no-such-dir", "x")}\r`);
    expect(app.r.lastFrame()).toMatch(/cannot write ".*no-such-dir\/x": ENOENT/);
  });

  it("in a notebook cell: the text is cut the same way, the tables to 1,000 rows in all, the rest counted", () => {
    const s = new Session(loadCanned("article"), nodeIo, 1);
    runLine(s, "iptables -t nat -N BIG");
    for (let i = 0; i < 1200; i++) runLine(s, `iptables -t nat -A BIG -d 10.9.${i >> 8}.${i & 255}/32 -j RETURN`);
    const outs: Record<string, string>[] = [];
    expect(runCell(s, "iptables -t nat -L -n", (o) => o.bundle && outs.push(o.bundle))).toBeUndefined();
    const b = outs[0]!;
    expect(b["text/plain"]!.split("\n")).toHaveLength(1001);
    expect(b["text/plain"]).toMatch(/\n… [\d,]+ more lines not shown/);
    const tables = (b["text/html"]!.match(/<table/g) ?? []).length;
    expect((b["text/html"]!.match(/<tr/g) ?? []).length).toBe(1000 + tables); // rows, plus each table's header row
    expect(b["text/html"]).not.toContain("10.9.4.175");
    expect(b["text/markdown"]).toMatch(/more lines not shown/);
    // short output is untouched
    const small: Record<string, string>[] = [];
    runCell(s, "iptables -t nat -L KUBE-SERVICES -n", (o) => o.bundle && small.push(o.bundle));
    expect(small[0]!["text/plain"]).toBe(runLine(s, "iptables -t nat -L KUBE-SERVICES -n").text);
  });

  it("in a notebook cell: tables that fill exactly 1,000 rows before another chain still say that more is not shown", () => {
    const s = new Session(loadCanned("article"), nodeIo, 1);
    const rowsOf = () => (runLine(s, "iptables -t nat -L -n").display ?? []).reduce((n, d) => n + (d.kind === "table" ? d.rows.length : 0), 0);
    runLine(s, "iptables -t nat -N BIG");
    const fill = 1000 - rowsOf();
    for (let i = 0; i < fill; i++) runLine(s, `iptables -t nat -A BIG -d 10.9.${i >> 8}.${i & 255}/32 -j RETURN`);
    expect(rowsOf()).toBe(1000);
    runLine(s, "iptables -t nat -N ZZZ-AFTER");
    runLine(s, "iptables -t nat -A ZZZ-AFTER -j RETURN");
    const outs: Record<string, string>[] = [];
    runCell(s, "iptables -t nat -L -n", (o) => o.bundle && outs.push(o.bundle));
    expect(outs[0]!["text/html"]).not.toContain("ZZZ-AFTER");
    expect(outs[0]!["text/markdown"]).toMatch(/not shown/);
  });
});
