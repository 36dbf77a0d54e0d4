// Every lesson's command blocks run in one session and print what its expect blocks say.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseLesson, missingLines } from "../src/lessons/parse.js";
import { Session } from "../src/lang/session.js";
import { loadCanned } from "../src/sources/load.js";
import { runLine } from "../src/lang/commands/index.js";
import { nodeIo } from "../src/sources/io.js";

const dir = fileURLToPath(new URL("../lessons/", import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith(".md"));

describe("lessons", () => {
  it("exist", () => expect(files.length).toBeGreaterThan(0));
  for (const f of files) {
    it(f, () => {
      const lesson = parseLesson(readFileSync(dir + f, "utf8"));
      const s = new Session(loadCanned("article"), nodeIo, 1);
      for (const c of lesson.setup) expect(runLine(s, c).error, c).toBeUndefined();
      expect(lesson.steps.length).toBeGreaterThan(0);
      for (const step of lesson.steps) {
        let out = "";
        for (const c of step.commands) {
          const r = runLine(s, c);
          expect(r.error, `${f}:${step.line}: ${c}`).toBeUndefined();
          out += r.text + "\n";
        }
        expect(missingLines(out, step.expect), `${f}:${step.line}: lines missing from the output of\n${step.commands.join("\n")}\n---\n${out}`).toEqual([]);
      }
    });
  }
});
