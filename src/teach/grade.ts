/**
 * Grading a class: an answers CSV (student,seed,answer and optionally kind) checked against the
 * exercises, row by row, with a summary and a results CSV.
 *
 * Why: a teacher hands each student a seed (`ktrace-repl exercise sep --seed N`), collects
 * answers in a spreadsheet, and grades them all at once with `ktrace-repl grade answers.csv`.
 * Each row is checked by the same `check(exercise, answer)` the REPL uses; a bad row is reported
 * with its line and the rest is still graded. Pure: the CLI reads and writes the files.
 */
import { parseCsv, CsvError, csvLine } from "./grade-csv.js";
import { check, EXERCISE_KINDS, generateExercise, parseSeed, type Exercise } from "./exercises/index.js";

export interface GradedRow {
  line: number;
  student: string;
  seed: string;
  kind: string;
  answer: string;
  /** undefined for an invalid row */
  right?: boolean;
  expected?: string;
  feedback: string;
}

export interface GradeReport {
  rows: GradedRow[];
  /** `answers.csv:LINE: message`, one per row that could not be graded */
  problems: string[];
  right: number;
  wrong: number;
  invalid: number;
}

export class GradeError extends Error {}

const COLUMNS = ["student", "seed", "answer", "kind"] as const;

/** Grades the answers in `text` (the contents of `file`); `kind` is used for rows without one. */
export function gradeCsv(text: string, file: string, opts: { kind?: string } = {}): GradeReport {
  if (opts.kind !== undefined && !EXERCISE_KINDS.includes(opts.kind)) throw new GradeError(`--kind: no exercise kind "${opts.kind}" (kinds: ${EXERCISE_KINDS.join(", ")})`);
  const report: GradeReport = { rows: [], problems: [], right: 0, wrong: 0, invalid: 0 };
  let records;
  let broken: CsvError | undefined;
  try {
    records = parseCsv(text);
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    // grade what comes before the broken quote, and report it
    broken = e;
    records = parseCsv(text.split(/\r?\n/).slice(0, e.line - 1).join("\n"));
  }
  const header = records[0];
  if (!header) throw new GradeError(`${file}: empty: expected a header line student,seed,answer[,kind] and one row per answer`);
  const cols = header.fields.map((f) => f.trim().toLowerCase());
  const at = (name: string) => cols.indexOf(name);
  const missing = COLUMNS.filter((c) => c !== "kind" && at(c) < 0);
  if (missing.length) throw new GradeError(`${file}:${header.line}: the header must name the columns student, seed and answer (kind is optional); ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing in "${header.fields.join(",")}"`);
  for (const c of COLUMNS) if (cols.filter((x) => x === c).length > 1) throw new GradeError(`${file}:${header.line}: the column "${c}" is named twice`);
  if (at("kind") < 0 && opts.kind === undefined) throw new GradeError(`${file}:${header.line}: no kind column: add one, or pass --kind (${EXERCISE_KINDS.join(", ")})`);

  const cache = new Map<string, Exercise>();
  const bad = (line: number, row: Omit<GradedRow, "feedback" | "line">, message: string) => {
    report.invalid++;
    report.problems.push(`${file}:${line}: ${message}`);
    report.rows.push({ ...row, line, feedback: message });
  };
  for (const rec of records.slice(1)) {
    const get = (name: string) => (at(name) >= 0 ? (rec.fields[at(name)] ?? "") : "");
    const student = get("student").trim();
    const seedText = get("seed").trim();
    const kind = get("kind").trim() || opts.kind || "";
    const answer = get("answer");
    const row = { student, seed: seedText, kind, answer: answer.trim() };
    if (rec.fields.length !== header.fields.length) {
      bad(rec.line, row, `expected ${header.fields.length} fields (${header.fields.join(",")}), got ${rec.fields.length}${rec.fields.length > header.fields.length ? ": quote an answer that holds a comma" : ""}`);
      continue;
    }
    if (!student) {
      bad(rec.line, row, "no student name");
      continue;
    }
    const seed = parseSeed(seedText);
    if (seed === undefined) {
      bad(rec.line, row, `seed "${seedText}" is not a whole number from 0 to 4294967295`);
      continue;
    }
    if (!kind) {
      bad(rec.line, row, `no kind (the kind column is empty and no --kind was given)`);
      continue;
    }
    if (!EXERCISE_KINDS.includes(kind)) {
      bad(rec.line, row, `no exercise kind "${kind}" (kinds: ${EXERCISE_KINDS.join(", ")})`);
      continue;
    }
    const key = `${kind} ${seed}`;
    let ex = cache.get(key);
    if (!ex) {
      ex = generateExercise(kind, seed);
      cache.set(key, ex);
    }
    const v = check(ex, answer);
    if (v.right) report.right++;
    else report.wrong++;
    report.rows.push({ ...row, line: rec.line, right: v.right, expected: v.expected, feedback: v.feedback });
  }
  if (broken) {
    report.invalid++;
    report.problems.push(`${file}:${broken.line}: ${broken.message}; the rows from here on were not graded`);
  }
  return report;
}

/** The report as a teacher reads it: a line per answer, then the summary. */
export function formatReport(r: GradeReport): string {
  const w = Math.max(7, ...r.rows.map((x) => x.student.length));
  const exercise = (x: GradeReport["rows"][number]) => `${x.kind || "?"} seed ${x.seed || "?"}`;
  const ew = Math.max(0, ...r.rows.map((x) => exercise(x).length));
  const lines = r.rows.map((x) => {
    // "BAD ROW", not "INVALID": the invalid exercise asks about conntrack's INVALID state
    const verdict = x.right === undefined ? "BAD ROW" : x.right ? "right" : "WRONG";
    const detail = x.right === undefined ? x.feedback : x.right ? x.answer : `${x.answer || "(no answer)"} — expected ${x.expected}`;
    return `${x.student.padEnd(w)}  ${exercise(x).padEnd(ew)}  ${verdict.padEnd(7)}  ${detail.replace(/\s*\n\s*/g, " ")}`;
  });
  const total = r.right + r.wrong;
  // a student with several answers (several kinds or seeds) also gets a total
  const per = new Map<string, [number, number]>();
  for (const x of r.rows) {
    if (x.right === undefined || !x.student) continue;
    const t = per.get(x.student) ?? [0, 0];
    per.set(x.student, [t[0] + (x.right ? 1 : 0), t[1] + 1]);
  }
  const totals = [...per].some(([, [, n]]) => n > 1) ? ["", "per student:", ...[...per].map(([name, [ok, n]]) => `  ${name.padEnd(w)}  ${ok}/${n} right`)] : [];
  return [
    ...lines,
    ...totals,
    "",
    `${total} answer${total === 1 ? "" : "s"} graded: ${r.right} right, ${r.wrong} wrong${r.invalid ? `, ${r.invalid} invalid row${r.invalid === 1 ? "" : "s"} not graded` : ""}`,
  ].join("\n");
}

/** student,seed,kind,answer,expected,right,feedback — one row per answer, invalid rows included. */
export function resultsCsv(r: GradeReport): string {
  const rows = r.rows.map((x) => csvLine([x.student, x.seed, x.kind, x.answer, x.expected ?? "", x.right === undefined ? "invalid" : String(x.right), x.feedback]));
  return [csvLine(["student", "seed", "kind", "answer", "expected", "right", "feedback"]), ...rows].join("\r\n") + "\r\n";
}
