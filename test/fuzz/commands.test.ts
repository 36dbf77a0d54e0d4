// The command language under fuzzing: no command ignores words it does not take, and no line a
// user can type — any words, any junk — ends in a thrown exception or an internal error.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { COMMANDS, runLine } from "../../src/lang/commands/index.js";
import { articleSession } from "../helpers/session.js";
import { fuzzParams, FUZZ_TIMEOUT } from "./budget.js";

describe("commands refuse words they do not take", () => {
  it("the issue's examples fail, naming the first extra word", () => {
    const cases: [string, number][] = [["quit now please", 6], ["back 1 2", 8], ["continue now", 10], ["save x y", 8], ["show state x", 12], ["load canned article extra", 21]];
    for (const [line, col] of cases) {
      const s = articleSession();
      runLine(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
      const r = runLine(s, line);
      expect(r.error, line).toMatch(/one too many/);
      expect(r.failure?.col, line).toBe(col);
      expect(r.quit, line).toBeFalsy();
    }
  });

  for (const c of COMMANDS.filter((x) => x.maxArgs !== undefined)) {
    it(`${c.name}: one word past ${c.maxArgs} is an error at that word`, () => {
      const words = Array.from({ length: c.maxArgs! }, () => "1");
      const line = [c.name, ...words, "EXTRA"].join(" ");
      const r = runLine(articleSession(), line);
      expect(r.error, line).toBeDefined();
      expect(r.failure?.col, line).toBe(line.indexOf("EXTRA") + 1);
    });
  }
});

const WORD = fc.oneof(
  fc.constantFrom(...COMMANDS.map((c) => c.name), "tcp", "udp", "icmp", "->", "in", "enp3s0", "vxlan.calico", "192.168.1.88:49058", "10.43.156.98:9898", "nat", "filter", "KUBE-SERVICES", "chain", "state", "-A", "-j", "DROP", "-t", "seed", "1", "0", "-1", "99999999999", '"', '"a b"', "lesson", "next", "sep"),
  fc.string({ maxLength: 10 }),
  fc.string({ unit: "binary", maxLength: 6 }),
);

describe("command lines (fuzz)", () => {
  it("never throw and never report an internal error", () => {
    const s = articleSession(3);
    let n = 0;
    fc.assert(
      fc.property(fc.array(WORD, { minLength: 1, maxLength: 8 }), (words) => {
        const line = words.join(" ");
        if (/^\s*(quit|exit|load)\b/.test(line)) return; // leaving or reading files is not what this checks
        const r = runLine(s, line.replace(/\bstats\s+\d+/, "stats 3"));
        expect(r.error ?? "", line).not.toMatch(/internal error/);
        if (++n % 300 === 0) runLine(s, "reset");
      }),
      fuzzParams(),
    );
  }, FUZZ_TIMEOUT);
});
