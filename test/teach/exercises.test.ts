// Exercises: pure functions of (kind, seed), answers from the walk, exactly one right candidate,
// wrong answers explained from the walk, and the same exercise in the REPL's command table.
import { describe, expect, test } from "vitest";
import { check, EXERCISE_KINDS, generateExercise } from "../../src/teach/exercises/index.js";
import { sceneSession } from "../../src/teach/exercises/exercise.js";
import { articleSession, run } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import { runCell, type LineOutput } from "../../src/notebook/cell.js";

// generating exercises walks packets: the heavy tests get their own time limits on a shared machine
const seeds = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

test("every kind is listed", () => {
  expect([...EXERCISE_KINDS].sort()).toEqual(["drop", "fix", "invalid", "mark", "out-interface", "pod-source", "sep"]);
});

describe.each(EXERCISE_KINDS)("%s", (kind) => {
  test("the same seed gives the same exercise; other seeds give other clusters and answers", () => {
    const a = generateExercise(kind, 11);
    const b = generateExercise(kind, 11);
    expect(b.text).toBe(a.text);
    expect(b.expected).toBe(a.expected);
    expect(b.solution).toBe(a.solution);
    const many = seeds(12).map((s) => generateExercise(kind, s));
    expect(new Set(many.map((e) => e.text)).size).toBe(12);
    expect(new Set(many.map((e) => e.scene.cluster.yaml)).size).toBeGreaterThan(10);
    // the right answer is not always the same candidate
    expect(new Set(many.map((e) => e.candidates.indexOf(e.expected))).size).toBeGreaterThan(1);
    for (const e of many) expect(e.text).toContain(`seed ${e.seed}`);
  }, 180_000);

  test("exactly one candidate is right, by name and by letter; wrong ones are explained from the walk", () => {
    for (const seed of seeds(kind === "sep" ? 200 : 30, 100)) {
      const ex = generateExercise(kind, seed);
      expect(ex.candidates.length).toBeGreaterThan(1);
      const right = ex.candidates.filter((c) => check(ex, c).right);
      expect(right).toEqual([ex.expected]);
      // every candidate appears in the printed exercise, with its letter
      ex.candidates.forEach((c, i) => expect(ex.text).toContain(`${String.fromCharCode(97 + i)}) ${c}`));
      const letter = String.fromCharCode(97 + ex.candidates.indexOf(ex.expected));
      expect(check(ex, letter).right).toBe(true);
      expect(check(ex, ` ${ex.expected.toLowerCase()} `).right).toBe(true);
      const wrong = ex.candidates.find((c) => c !== ex.expected)!;
      const v = check(ex, wrong);
      expect(v.right).toBe(false);
      expect(v.expected).toBe(ex.expected);
      expect(v.feedback).toContain(`is not it: the answer is ${ex.expected}`);
      expect(v.feedback.split("\n").length).toBeGreaterThan(2);
      expect(check(ex, "").right).toBe(false);
    }
  }, 180_000);

  test("the expected answer is what the packet does when the learner sends it", () => {
    for (const seed of seeds(5, 40)) {
      const ex = generateExercise(kind, seed);
      const s = sceneSession(ex.scene);
      run(s, ex.scene.packet);
      const walk = s.sent[s.sent.length - 1]!.result;
      if (kind === "out-interface") expect(walk.fate.kind === "sent" && walk.fate.iface).toBe(ex.expected);
      if (kind === "drop") expect(walk.fate.kind === "dropped" || walk.fate.kind === "rejected").toBe(true);
      if (kind === "fix") expect(walk.fate.kind).toBe("dropped");
      if (kind === "pod-source") expect(`${walk.pkt.src >>> 24}.${(walk.pkt.src >>> 16) & 255}.${(walk.pkt.src >>> 8) & 255}.${walk.pkt.src & 255}`).toBe(ex.expected);
      if (kind === "invalid") {
        // the segment's conntrack state where it entered, and where it ended
        const ct = walk.events.find((e) => e.kind === "conntrack");
        expect(ct?.kind === "conntrack" && `${ct.view.state}, ${walk.fate.kind}`).toBe(ex.expected);
        // the connection before it was made in full: every packet of it reached the other side
        expect(s.sent.slice(0, -1).every((p) => p.result.fate.kind === "sent" || p.result.fate.kind === "delivered")).toBe(true);
      }
      if (kind === "sep") {
        const dnat = walk.events.find((e) => e.kind === "nat" && e.manip === "DST");
        expect(dnat?.kind === "nat" && dnat.rule?.chain).toBe(ex.expected);
      }
    }
  }, 180_000);
});

describe("sep by hand", () => {
  // a learner's reasoning: the first statistic rule whose draw is below its probability, else the last rule
  function byHand(text: string): string {
    const rules = [...text.matchAll(/^ {2}-A KUBE-SVC-\S+ .*?(?:--probability (\S+) )?-j (KUBE-SEP-\S+)$/gm)].map((m) => ({ p: m[1] === undefined ? undefined : Number(m[1]), sep: m[2]! }));
    const draws = [...text.matchAll(/^ {2}draw \d+: (\S+)$/gm)].map((m) => Number(m[1]));
    let i = 0;
    for (const r of rules) {
      if (r.p === undefined) return r.sep;
      if (draws[i++]! < r.p) return r.sep;
    }
    throw new Error("no rule matched by hand");
  }

  test("the printed probabilities and draws are enough to find the answer", () => {
    const answers = new Set<string>();
    for (const seed of seeds(80, 1000)) {
      const ex = generateExercise("sep", seed);
      expect(byHand(ex.text)).toBe(ex.expected);
      answers.add(String(ex.candidates.indexOf(ex.expected)));
    }
    expect(answers.size).toBeGreaterThan(2);
  }, 180_000);

  test("a wrong endpoint is placed in the Service chain and its draw is named", () => {
    const ex = generateExercise("sep", 2);
    const first = ex.candidates[0]!;
    if (first !== ex.expected) expect(check(ex, first).feedback).toMatch(/is rule #\d+'s target in KUBE-SVC-\S+; rule #\d+ missed \(random draw 0\.\d{4} ≥ /);
    expect(check(ex, "KUBE-SEP-NOTONEOFTHEM").feedback).toContain("is not one of");
    expect(ex.solution).toMatch(/sees 0\.\d{11}: (below|not below)/);
  });
});

describe("in the command table", () => {
  test("exercise KIND seed N loads the cluster, answer checks, solution shows the work", () => {
    const s = articleSession();
    const ex = generateExercise("sep", 7);
    const out = run(s, "exercise sep seed 7");
    expect(out).toContain(ex.text);
    expect(s.question?.source).toBe("exercise sep (seed 7)");
    // the learner can send the packet in the loaded cluster and sees the same endpoint
    const sent = run(s, ex.scene.packet);
    expect(sent).toContain(ex.expected);
    const wrong = ex.candidates.find((c) => c !== ex.expected)!;
    expect(s.question!.check(s, wrong).right).toBe(false);
    expect(s.question!.check(s, ex.expected).right).toBe(true);
    expect(run(s, "solution")).toBe(ex.solution);
  });

  test("the REPL's iptables changes do not leak into the next exercise", () => {
    const s = articleSession();
    run(s, "exercise fix seed 3", "iptables -F NETPOL");
    expect(s.commandHistory).toEqual(["exercise fix seed 3", "iptables -F NETPOL"]);
    const again = articleSession();
    run(again, "exercise fix seed 3");
    expect(run(again, "iptables -t filter -S NETPOL")).toContain("-j DROP");
    expect(generateExercise("fix", 3).text).toBe(generateExercise("fix", 3).text);
  });

  test("in a ktrace kernel cell: the exercise, a wrong answer that keeps the answer hidden, a second that shows it, then the right one", () => {
    const s = articleSession();
    const ex = generateExercise("sep", 12);
    const [first, second] = ex.candidates.filter((c) => c !== ex.expected);
    const out: LineOutput[] = [];
    const err = runCell(s, `exercise sep seed 12\nanswer ${first}\nanswer ${second}\nanswer ${ex.expected}`, (o) => out.push(o));
    expect(err).toBeUndefined();
    const text = out.map((o) => o.bundle?.["text/plain"] ?? "");
    expect(text[0]).toContain(ex.text);
    // a first wrong answer, as a lesson's checkpoint: try again, the answer not given away
    expect(text[1]).toContain(`"${first}" is not it. Look again`);
    expect(text[1]).not.toContain(ex.expected);
    // the second: the worked answer
    expect(text[2]).toContain(`the answer is ${ex.expected}`);
    // right: said once
    expect(text[3]).toBe(`✓ Right: ${ex.expected}.`);
  });

  test("pod-source: a port MASQUERADE chose at random goes with any port; a client's own port must be right", () => {
    let chosen = 0, kept = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const ex = generateExercise("pod-source", seed);
      const seen = /the pod sees the packet come from (\d+\.\d+\.\d+\.\d+):(\d+)/.exec(ex.solution);
      if (!seen) continue;
      const rewrote = /rewrote the source: \S+ [\d.]+:(\d+) -> .* ⇒ \S+ [\d.]+:(\d+) /.exec(ex.solution);
      const otherPort = `${seen[1]}:${(Number(seen[2]) % 60000) + 1}`;
      expect(check(ex, seen[1]!).right, `seed ${seed}: the address alone`).toBe(true);
      expect(check(ex, `${seen[1]}:${seen[2]}`).right, `seed ${seed}: the address and the port the pod sees`).toBe(true);
      if (rewrote && rewrote[1] !== rewrote[2]) {
        chosen++;
        expect(check(ex, otherPort).right, `seed ${seed}: a port nobody can know`).toBe(true);
      } else {
        kept++;
        expect(check(ex, otherPort).right, `seed ${seed}: the client's own port`).toBe(false);
      }
    }
    expect(chosen).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(0);
  });

  test("a letter past the candidates says so; the REPL takes --seed as the command line spells it", () => {
    const ex = generateExercise("sep", 7);
    const v = check(ex, "z");
    expect(v.right).toBe(false);
    expect(v.feedback).toBe(`"z" is not one of the letters: the candidates are a to ${String.fromCharCode(96 + ex.candidates.length)}.`);
    const s = articleSession();
    expect(run(s, "exercise sep --seed 7")).toBe(run(articleSession(), "exercise sep seed 7"));
  });

  test("an exercise answered right, or replaced by another ruleset, is no longer pending", () => {
    const s = articleSession();
    const ex = generateExercise("sep", 12);
    run(s, "exercise sep seed 12", `answer ${ex.expected}`);
    expect(s.question).toBeUndefined();
    expect(runLine(s, `answer ${ex.expected}`).error).toBe("no question is pending");
    run(s, "exercise sep seed 12");
    expect(s.question?.source).toBe("exercise sep (seed 12)");
    run(s, "load canned article");
    expect(s.question).toBeUndefined();
  });

  test("errors name the word", () => {
    const s = articleSession();
    expect(run(s, "exercise")).toContain("sep");
    expect(runLine(s, "exercise sop").error).toBe('column 10: no exercise kind "sop"');
    expect(runLine(s, "exercise sop").hint).toBe("did you mean sep?");
    expect(runLine(s, "exercise sep seed x").error).toMatch(/^column 19: bad seed "x"/);
    expect(runLine(s, "exercise sep sead 1").error).toMatch(/^column 14: expected "seed N"/);
    expect(runLine(s, "solution").error).toBe("no exercise yet");
  });
});
