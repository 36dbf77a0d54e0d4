// REPL history on disk: appended a line at a time, the last 1,000 kept, compacted by an atomic
// rename, corrupt lines skipped, an unwritable place ignored.
import { describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendHistory, loadHistory } from "../../src/repl/history-file.js";

function scratch<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "kthist-"));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("history file", () => {
  it("appends lines, one per command, a pasted line break as a space", () => {
    scratch((dir) => {
      const p = join(dir, "h");
      appendHistory("send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", p);
      appendHistory("show\nstate", p);
      expect(loadHistory(p)).toEqual(["send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "show state"]);
    });
  });

  it("keeps the last 1,000 lines; the file is compacted by a rename, leaving no temporary file", () => {
    scratch((dir) => {
      const p = join(dir, "h");
      for (let i = 0; i < 3000; i++) appendHistory(`step ${i} ${"x".repeat(40)}`, p);
      const h = loadHistory(p);
      expect(h).toHaveLength(1000);
      expect(h[999]).toMatch(/^step 2999 /);
      expect(statSync(p).size).toBeLessThan(2 * 1000 * 64 + 100);
      expect(readdirSync(dir)).toEqual(["h"]);
    });
  });

  it("a corrupt file: binary junk and over-long lines are skipped, the text lines kept", () => {
    scratch((dir) => {
      const p = join(dir, "h");
      writeFileSync(p, Buffer.concat([Buffer.from("step\n"), Buffer.from([0, 1, 2, 255, 10]), Buffer.from(`${"y".repeat(5000)}\nwhere\n`)]));
      expect(loadHistory(p)).toEqual(["step", "where"]);
    });
  });

  it("an unwritable place is ignored; a missing file is an empty history", () => {
    scratch((dir) => {
      expect(loadHistory(join(dir, "none"))).toEqual([]);
      expect(() => appendHistory("step", join(dir, "no", "such", "dir", "h"))).not.toThrow();
      if (process.getuid?.() !== 0) {
        chmodSync(dir, 0o500);
        expect(() => appendHistory("step", join(dir, "h"))).not.toThrow();
        chmodSync(dir, 0o700);
      }
      expect(existsSync(join(dir, "no"))).toBe(false);
    });
  });
});
