// The teaching files under fuzzing: a damaged lesson (a teacher editing Markdown) parses or is
// refused with file:line:column; a damaged class CSV (a spreadsheet export gone wrong) is graded
// row by row — every row right, wrong or invalid with a reason — or refused naming the file.
// Nothing else: no exception, no row dropped silently, no two-line error.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseLesson } from "../../src/lessons/parse.js";
import { formatReport, gradeCsv, GradeError, resultsCsv } from "../../src/teach/grade.js";
import { isUserError } from "../../src/engine/parse/errors.js";
import { EXERCISES } from "../../src/teach/exercises/index.js";
import { csvLine } from "../../src/teach/grade-csv.js";
import { applyEdits, edits, loadOrRefuse } from "./damage.js";
import { fuzzParams, FUZZ_MS } from "./budget.js";

const LESSON_DIR = fileURLToPath(new URL("../../lessons/", import.meta.url));
const LESSONS = readdirSync(LESSON_DIR).filter((f) => /^\d+.*\.md$/.test(f)).map((f) => readFileSync(join(LESSON_DIR, f), "utf8"));

/** A small class: right answers, wrong ones, letters, for two exercise kinds. */
function classCsv(): string {
  const rows = ["student,seed,answer,kind"];
  for (let i = 1; i <= 6; i++) {
    const kind = EXERCISES[i % 2]!.kind;
    rows.push(csvLine([`Student ${i}`, String(40 + i), i % 3 ? "a" : "KUBE-SEP-AAAAAAAAAAAAAAAA", kind]));
  }
  return rows.join("\n") + "\n";
}

// these surfaces share the fuzzing minute: half a budget each
const half = () => ({ ...fuzzParams(), interruptAfterTimeLimit: FUZZ_MS / 2 });

describe("teaching files (fuzz)", () => {
  it("a class file whose last line opens a quote is graded up to it; the tail is one invalid entry among the problems", () => {
    const r = gradeCsv(`${classCsv()}"`, "class.csv");
    expect(r.rows).toHaveLength(6);
    expect(r.right + r.wrong).toBe(6);
    expect(r.invalid).toBe(1);
    expect(r.problems).toEqual(['class.csv:8: a quoted field is never closed (a " is missing); the rows from here on were not graded']);
  });

  it("the intact lessons parse", () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(14);
    for (const [i, text] of LESSONS.entries()) expect(loadOrRefuse(`lesson${i}.md`, () => parseLesson(text, `lesson${i}.md`), isUserError)).toBe("ok");
  });

  it("damaged lessons parse or are refused with file:line:column", () => {
    const seen = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(fc.nat(LESSONS.length - 1), edits, (which, es) => {
        const file = `lesson${which}.md`;
        const outcome = loadOrRefuse(file, () => parseLesson(applyEdits(LESSONS[which]!, es), file), isUserError);
        seen[outcome]++;
      }),
      half(),
    );
    console.info(`fuzz lessons: ${seen.ok} damaged lessons parsed, ${seen.refused} refused`);
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  }, FUZZ_MS + 60_000);

  it("damaged class CSVs: every row graded or said invalid, or the file refused by name", () => {
    const base = classCsv();
    const seen = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(edits, (es) => {
        const text = applyEdits(base, es);
        let report: ReturnType<typeof gradeCsv> | undefined;
        seen[loadOrRefuse("class.csv", () => (report = gradeCsv(text, "class.csv")), (e) => e instanceof GradeError)]++;
        if (!report) return;
        for (const row of report.rows) {
          expect(row.feedback, JSON.stringify(row)).not.toBe("");
          expect(row.feedback).not.toMatch(/internal error|undefined|NaN/);
        }
        // right and wrong are the graded rows; invalid counts the rows not graded (and a broken
        // quote's tail as one, reported among the problems)
        expect(report.right).toBe(report.rows.filter((r) => r.right === true).length);
        expect(report.wrong).toBe(report.rows.filter((r) => r.right === false).length);
        expect(report.invalid).toBeGreaterThanOrEqual(report.rows.filter((r) => r.right === undefined).length);
        expect(report.invalid).toBeLessThanOrEqual(report.rows.filter((r) => r.right === undefined).length + 1);
        expect(() => formatReport(report!)).not.toThrow();
        expect(() => resultsCsv(report!)).not.toThrow();
      }),
      half(),
    );
    console.info(`fuzz class CSVs: ${seen.ok} damaged files graded, ${seen.refused} refused`);
    expect(seen.ok).toBeGreaterThan(0);
  }, FUZZ_MS + 60_000);
});
