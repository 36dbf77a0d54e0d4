// Grading a class from one answers CSV (src/teach/grade.ts, src/teach/grade-csv.ts): RFC 4180
// quoting, bad rows reported by line while the rest is graded, the results CSV.
import { describe, expect, test } from "vitest";
import { gradeCsv, GradeError, formatReport, resultsCsv } from "../../src/teach/grade.js";
import { parseCsv, CsvError, csvLine } from "../../src/teach/grade-csv.js";
import { generateExercise } from "../../src/teach/exercises/index.js";
import { sceneSession } from "../../src/teach/exercises/exercise.js";
import { run } from "../helpers/session.js";

/** The right sep answer for a seed, found by walking the exercise's packet (not by asking the grader). */
function walkedSep(seed: number): { right: string; wrong: string; letter: string } {
  const ex = generateExercise("sep", seed);
  const s = sceneSession(ex.scene);
  run(s, ex.scene.packet);
  const jump = s.sent[0]!.result.events.find((e) => e.kind === "rule" && e.rule.target?.kind === "jump" && e.rule.target.chain.startsWith("KUBE-SEP-"));
  const right = jump?.kind === "rule" && jump.rule.target?.kind === "jump" ? jump.rule.target.chain : "";
  const wrong = ex.candidates.find((c) => c !== right)!;
  return { right, wrong, letter: String.fromCharCode(97 + ex.candidates.indexOf(right)) };
}

describe("a class of 30", () => {
  const rows: string[] = ["student,seed,answer,kind"];
  const truth: boolean[] = [];
  for (let i = 1; i <= 30; i++) {
    const seed = 500 + i;
    const w = walkedSep(seed);
    // every third student is wrong; some answer by letter, some in lower case, one with spaces
    const isRight = i % 3 !== 0;
    const answer = !isRight ? w.wrong : i % 5 === 0 ? w.letter : i % 7 === 0 ? `  ${w.right.toLowerCase()} ` : w.right;
    rows.push(csvLine([`Student ${String(i).padStart(2, "0")}`, String(seed), answer, "sep"]));
    truth.push(isRight);
  }
  const text = rows.join("\n") + "\n";

  test("every row is graded as the walk says", () => {
    const r = gradeCsv(text, "answers.csv");
    expect(r.problems).toEqual([]);
    expect(r.rows).toHaveLength(30);
    expect(r.rows.map((x) => x.right)).toEqual(truth);
    expect(r.right).toBe(truth.filter(Boolean).length);
    expect(r.wrong).toBe(10);
    expect(r.invalid).toBe(0);
    expect(r.rows[0]!.line).toBe(2);
    const wrong = r.rows.find((x) => x.right === false)!;
    expect(wrong.feedback).toContain(`the answer is ${wrong.expected}`);
    const report = formatReport(r);
    expect(report).toContain("30 answers graded: 20 right, 10 wrong");
    expect(report.split("\n").filter((l) => /^Student \d\d /.test(l))).toHaveLength(30);
  });

  test("the results CSV reads back: one row per student with expected, right and feedback", () => {
    const r = gradeCsv(text, "answers.csv");
    const back = parseCsv(resultsCsv(r));
    expect(back[0]!.fields).toEqual(["student", "seed", "kind", "answer", "expected", "right", "feedback"]);
    expect(back).toHaveLength(31);
    expect(back.slice(1).map((x) => x.fields[5])).toEqual(truth.map(String));
    // multi-line feedback survives quoting
    const wrongRow = back.slice(1).find((x) => x.fields[5] === "false")!;
    expect(wrongRow.fields[6]).toContain("\n");
    expect(wrongRow.fields).toHaveLength(7);
  });
});

test("bad rows are reported by line and the rest is graded", () => {
  const good = walkedSep(7);
  const text = [
    "Student,Seed,Answer,Kind",
    `ann,7,${good.right},sep`,
    "bob,seven,KUBE-SEP-X,sep", // line 3: seed
    ",7,KUBE-SEP-X,sep", // line 4: no student
    "cat,7,KUBE-SEP-X,sepp", // line 5: kind
    "dan,7,KUBE-SEP-X,sep,extra", // line 6: a field too many
    "",
    `"eve, the second",7,"${good.wrong}",sep`, // line 8: quoted comma
    `fay,7,"multi`, // line 9-10: a quoted line break
    `line",sep`,
    `gus,7,,sep`, // line 11: no answer: wrong, not invalid
  ].join("\r\n");
  const r = gradeCsv(text, "answers.csv");
  expect(r.problems).toEqual([
    'answers.csv:3: seed "seven" is not a whole number from 0 to 4294967295',
    "answers.csv:4: no student name",
    'answers.csv:5: no exercise kind "sepp" (kinds: sep, mark, out-interface, pod-source, drop, fix, invalid)',
    "answers.csv:6: expected 4 fields (Student,Seed,Answer,Kind), got 5: quote an answer that holds a comma",
  ]);
  expect(r.rows.filter((x) => x.right !== undefined).map((x) => [x.student, x.line, x.right])).toEqual([
    ["ann", 2, true],
    ["eve, the second", 8, false],
    ["fay", 9, false],
    ["gus", 11, false],
  ]);
  expect(r).toMatchObject({ right: 1, wrong: 3, invalid: 4 });
  expect(formatReport(r)).toContain("4 answers graded: 1 right, 3 wrong, 4 invalid rows not graded");
  // kinds and seeds of different lengths ("sep seed 7", "? seed seven"): the verdicts stay in one column
  const verdictAt = formatReport(r).split("\n").filter((l) => / (right|WRONG|BAD ROW) /.test(l)).map((l) => l.search(/ (right|WRONG|BAD ROW) /));
  expect(verdictAt.length).toBeGreaterThan(4);
  // a row that cannot be graded is a "BAD ROW" (INVALID is a conntrack state one exercise asks about)
  expect(formatReport(r).split("\n").filter((l) => / BAD ROW /.test(l))).toHaveLength(4);
  expect(new Set(verdictAt).size).toBe(1);
  expect(parseCsv(resultsCsv(r)).filter((x) => x.fields[5] === "invalid")).toHaveLength(4);
});

test("an unclosed quote: rows before it are graded, the rest reported", () => {
  const good = walkedSep(3);
  const r = gradeCsv(`student,seed,answer\nann,3,${good.right}\nbob,3,"KUBE-SEP-X\ncat,3,${good.right}\n`, "a.csv", { kind: "sep" });
  expect(r.right).toBe(1);
  expect(r.problems).toEqual(['a.csv:3: a quoted field is never closed (a " is missing); the rows from here on were not graded']);
});

test("the header is required; --kind stands in for a kind column", () => {
  expect(() => gradeCsv("ann,3,KUBE-SEP-X\n", "a.csv")).toThrow(GradeError);
  expect(() => gradeCsv("ann,3,KUBE-SEP-X\n", "a.csv")).toThrow(/a\.csv:1: the header must name the columns student, seed and answer.*student, seed, answer are missing/);
  expect(() => gradeCsv("student,seed,answer\n", "a.csv")).toThrow(/no kind column: add one, or pass --kind/);
  expect(() => gradeCsv("", "a.csv")).toThrow(/empty/);
  expect(() => gradeCsv("student,seed,answer\n", "a.csv", { kind: "nope" })).toThrow(/--kind: no exercise kind "nope"/);
  const good = walkedSep(4);
  const r = gradeCsv(`seed,answer,student\n4,${good.right},ann\n`, "a.csv", { kind: "sep" });
  expect(r.rows[0]).toMatchObject({ student: "ann", kind: "sep", right: true });
});

test("other kinds in the same file", () => {
  const ex = generateExercise("mark", 9);
  const wrong = ex.candidates.find((c) => c !== ex.expected)!;
  const sep = walkedSep(9);
  const r = gradeCsv(`student,seed,answer,kind\nann,9,${wrong},mark\nbob,9,${ex.expected},mark\nann,9,${sep.right},sep\n`, "a.csv");
  expect(r.rows.map((x) => x.right)).toEqual([false, true, true]);
  // a student with several answers gets a total
  expect(formatReport(r)).toMatch(/per student:\n {2}ann +1\/2 right\n {2}bob +1\/1 right/);
});

describe("CSV", () => {
  test("RFC 4180: quotes, doubled quotes, CRLF, a BOM, blank lines, line numbers", () => {
    const recs = parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n\r\n"two\nlines",z\n,\n');
    expect(recs).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["x, y", 'say "hi"'] },
      { line: 4, fields: ["two\nlines", "z"] },
      { line: 6, fields: ["", ""] },
    ]);
    expect(() => parseCsv('a,"b"c\n')).toThrow(CsvError);
    expect(csvLine(["plain", "a,b", 'q"', " pad"])).toBe('plain,"a,b","q"""," pad"');
  });
});
