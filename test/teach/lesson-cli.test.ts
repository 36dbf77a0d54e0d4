// Lesson mode from the built, bundled binary (dist/ktrace-repl.js, made by npm run build / npm
// test): the lessons are found from the bundle's own location whatever the working directory,
// output is plain text when stdout is not a terminal, and progress lands in $XDG_STATE_HOME.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { lessonsDir } from "../../src/lessons/library.js";

const CLI = fileURLToPath(new URL("../../dist/ktrace-repl.js", import.meta.url));
const REPO_LESSONS = fileURLToPath(new URL("../../lessons", import.meta.url));

describe("lessons from the binary", () => {
  it("lessons/ is found from src/, from dist/ and from the bundle", () => {
    expect(lessonsDir()).toBe(REPO_LESSONS);
    expect(lessonsDir(new URL("../../dist/ktrace-repl.js", import.meta.url).href)).toBe(REPO_LESSONS);
    expect(lessonsDir(new URL("../../dist/lessons/library.js", import.meta.url).href)).toBe(REPO_LESSONS);
    expect(lessonsDir("file:///nonexistent/deep/dir/x.js")).toBeUndefined();
  });

  it.skipIf(!existsSync(CLI))("ktrace-repl -e: list, open, answer — plain text, progress saved (needs npm run build)", () => {
    const state = mkdtempSync(join(tmpdir(), "ktrace-xdg-"));
    const cwd = mkdtempSync(join(tmpdir(), "ktrace-cwd-"));
    const r = spawnSync(process.execPath, [CLI, "-e", "lessons", "-e", "lesson 1", "-e", "answer enp3s0", "-e", "lesson next"], {
      encoding: "utf8",
      cwd,
      env: { ...process.env, XDG_STATE_HOME: state, NO_COLOR: undefined },
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^lessons \(your progress: .*\):\n +1\. not started +Follow the article's curl/);
    expect(r.stdout).toContain("Lesson 1 — Follow the article's curl");
    expect(r.stdout).toContain("type:  route get 10.43.156.98");
    expect(r.stdout).toContain("✓ Right: enp3s0.");
    expect(r.stdout).toContain("2. The SYN through raw, mangle and nat");
    expect(r.stdout).not.toContain("\u001b[");
    const p = JSON.parse(readFileSync(join(state, "ktrace", "progress.json"), "utf8"));
    expect(p).toEqual({ version: 1, current: "01-follow-the-curl", lessons: { "01-follow-the-curl": { section: 2, passed: [1] } } });
  });
});
