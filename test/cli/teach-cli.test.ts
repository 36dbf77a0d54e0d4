// The teachers' script contract through the built binary (dist/ktrace-repl.js, `npm run build`):
// exercise prints the same text per seed, check exits 0 right / 1 wrong, grade reads a class CSV.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateExercise } from "../../src/teach/exercises/index.js";
import { sceneSession } from "../../src/teach/exercises/exercise.js";
import { parsePacketSpec } from "../../src/lang/packet-spec.js";
import { splitWords } from "../../src/lang/words.js";

const CLI = fileURLToPath(new URL("../../dist/ktrace-repl.js", import.meta.url));
const ktrace = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });

/** The candidates named in a printed exercise: "  a) KUBE-SEP-…". */
const candidates = (text: string) => [...text.matchAll(/^ {2}[a-z]\) (\S+)/gm)].map((m) => m[1]!);

describe("ktrace-repl exercise / check / grade", () => {
  it("exercise prints the same text for the same seed, naming every KUBE-SEP candidate; --solution the worked answer", () => {
    const a = ktrace(["exercise", "sep", "--seed", "21"]);
    expect(a.status).toBe(0);
    expect(a.stderr).toBe("");
    expect(ktrace(["exercise", "sep", "--seed", "21"]).stdout).toBe(a.stdout);
    expect(ktrace(["exercise", "sep", "--seed", "22"]).stdout).not.toBe(a.stdout);
    const cands = candidates(a.stdout);
    expect(cands.length).toBeGreaterThanOrEqual(2);
    expect(cands.every((c) => /^KUBE-SEP-[A-Z0-9]{16}$/.test(c))).toBe(true);
    // every candidate is one of the Service chain's targets as printed
    for (const c of cands) expect(a.stdout).toMatch(new RegExp(`-A KUBE-SVC-\\S+ .*-j ${c}$`, "m"));
    const sol = ktrace(["exercise", "sep", "--seed", "21", "--solution"]);
    expect(sol.status).toBe(0);
    const answer = /^Exercise sep \(seed 21\): (\S+)$/m.exec(sol.stdout)?.[1];
    expect(cands).toContain(answer);
  }, 120_000);

  it("check exits 0 for the right answer and 1 for each wrong one, with feedback", () => {
    const text = ktrace(["exercise", "sep", "--seed", "33"]).stdout;
    const verdicts = candidates(text).map((c) => ({ c, r: ktrace(["check", "sep", "--seed", "33", "--answer", c]) }));
    const right = verdicts.filter((v) => v.r.status === 0);
    expect(right).toHaveLength(1);
    expect(right[0]!.r.stdout).toContain(`right (exercise sep, seed 33): ${right[0]!.c}`);
    for (const v of verdicts.filter((x) => x.r.status !== 0)) {
      expect(v.r.status).toBe(1);
      expect(v.r.stdout).toMatch(/^wrong \(exercise sep, seed 33\)\n/);
      expect(v.r.stdout).toContain(`the answer is ${right[0]!.c}`);
    }
    // by letter too
    const letter = String.fromCharCode(97 + candidates(text).indexOf(right[0]!.c));
    expect(ktrace(["check", "sep", "--seed", "33", "--answer", letter]).status).toBe(0);
  }, 120_000);

  it("usage errors exit 2 with one line naming the problem", () => {
    const cases: [string[], RegExp][] = [
      [["check", "sep", "--seed", "1"], /check needs --answer X/],
      [["check", "sep", "--answer", "a"], /needs --seed N/],
      [["exercise", "sop", "--seed", "1"], /no exercise kind "sop"/],
      [["exercise", "sep", "--seed", "-3"], /--seed needs a whole number/],
      [["exercise", "sep", "--seed", "1", "--bogus"], /unknown option "--bogus"/],
      [["grade"], /grade needs the answers file/],
      [["grade", "/nonexistent/answers.csv"], /cannot read \/nonexistent\/answers\.csv: no such file/],
    ];
    for (const [args, msg] of cases) {
      const r = ktrace(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
    const list = ktrace(["exercise"]);
    expect(list.status).toBe(0);
    for (const k of ["sep", "mark", "out-interface", "drop", "pod-source", "fix"]) expect(list.stdout).toContain(`  ${k} `);
  }, 120_000);

  it("--help says the usage and the exit statuses; --seed=N works as --seed N", () => {
    for (const cmd of ["exercise", "check", "grade"]) {
      const r = ktrace([cmd, "--help"]);
      expect(r.status, cmd).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: ktrace-repl ${cmd} `));
      expect(r.stdout).toContain("exit status:");
    }
    expect(ktrace(["exercise", "sep", "--seed=7"]).stdout).toBe(ktrace(["exercise", "sep", "--seed", "7"]).stdout);
  }, 60_000);

  it("check --no-answer says right or wrong and nothing of the answer", () => {
    const ex = generateExercise("sep", 7);
    const wrongOne = ex.candidates.find((c) => c !== ex.expected)!;
    const wrong = ktrace(["check", "sep", "--seed", "7", "--answer", wrongOne, "--no-answer"]);
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toBe("wrong (exercise sep, seed 7)\n");
    const right = ktrace(["check", "sep", "--seed", "7", "--answer", ex.expected, "--no-answer"]);
    expect(right.status).toBe(0);
    expect(right.stdout).toBe("right (exercise sep, seed 7)\n");
  }, 60_000);

  it("grade --out never writes over the answers, and a folder that is not there is an error, not a crash", () => {
    const dir = mkdtempSync(join(tmpdir(), "ktrace-grade-out-"));
    const answers = join(dir, "answers.csv");
    const text = "student,seed,answer\nann,7,c\nbob,7,a\n";
    writeFileSync(answers, text);
    const same = ktrace(["grade", answers, "--kind", "sep", "--out", answers]);
    expect(same.status).toBe(2);
    expect(same.stderr).toContain("is the answers file itself");
    expect(readFileSync(answers, "utf8")).toBe(text);
    const nowhere = ktrace(["grade", answers, "--kind", "sep", "--out", join(dir, "no", "such", "r.csv")]);
    expect(nowhere.status).toBe(2);
    expect(nowhere.stderr).toMatch(/^ktrace-repl: cannot write .*r\.csv: no such directory\n$/);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("grade: a class of 30 from one CSV, bad rows by line, --out writes the results", () => {
    const dir = mkdtempSync(join(tmpdir(), "ktrace-grade-"));
    const rows = ["student,seed,answer"];
    let right = 0;
    for (let i = 0; i < 30; i++) {
      const seed = 300 + i;
      // the right answer as the walk finds it when the exercise's packet is sent
      const ex = generateExercise("sep", seed);
      const s = sceneSession(ex.scene);
      s.send(s.packetFromSpec(parsePacketSpec(splitWords(ex.scene.packet).slice(1))), ex.scene.packet);
      const taken = s.sent[0]!.result.events.find((e) => e.kind === "nat" && e.manip === "DST");
      const walked = taken?.kind === "nat" ? taken.rule?.chain : undefined;
      // half the class answers the first candidate, half the second
      const answer = ex.candidates[i % 2]!;
      if (answer === walked) right++;
      rows.push(`"Student ${i + 1}",${seed},${answer}`);
    }
    expect(right).toBeGreaterThan(0);
    expect(right).toBeLessThan(30);
    rows.splice(5, 0, "broken,notaseed,x");
    const file = join(dir, "answers.csv");
    const out = join(dir, "results.csv");
    writeFileSync(file, rows.join("\n") + "\n");
    const r = ktrace(["grade", file, "--kind", "sep", "--out", out]);
    expect(r.status).toBe(1); // one invalid row
    expect(r.stderr).toContain(`${file}:6: seed "notaseed" is not a whole number`);
    expect(r.stderr).toContain(`wrote ${out}`);
    expect(r.stdout).toContain(`30 answers graded: ${right} right, ${30 - right} wrong, 1 invalid row not graded`);
    const results = readFileSync(out, "utf8").trimEnd().split("\r\n");
    expect(results[0]).toBe("student,seed,kind,answer,expected,right,feedback");
    expect(results.filter((l) => /^Student \d+,\d+,sep,KUBE-SEP-\S+,KUBE-SEP-\S+,true,/.test(l))).toHaveLength(right);
    // a clean file exits 0
    writeFileSync(file, rows.filter((l) => !l.startsWith("broken")).join("\n") + "\n");
    expect(ktrace(["grade", file, "--kind", "sep"]).status).toBe(0);
  }, 120_000);
});
