// What a notebook sends the ktrace kernel, under fuzzing: any cell (commands, junk, quotes,
// backslashes, unicode) and any cursor (negative, past the end, fractional, NaN) through the
// parts that answer execute, complete, inspect and is_complete requests. An error is one line
// that points into the cell; a completion's range lies inside the cell; nothing throws, and the
// session keeps answering.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Session } from "../../src/lang/session.js";
import { loadCanned } from "../../src/sources/load.js";
import { readdirSync } from "node:fs";
import { nodeIo, type Io } from "../../src/sources/io.js";
import { isComplete, runCell, splitCell } from "../../src/notebook/cell.js";
import { completeCell } from "../../src/notebook/cell-complete.js";
import { inspectCell } from "../../src/notebook/cell-inspect.js";
import { COMMANDS, runLine } from "../../src/lang/commands/index.js";
import { fuzzParams, FUZZ_MS } from "./budget.js";

const PIECE = fc.oneof(
  fc.constantFrom(...COMMANDS.map((c) => c.name), "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "step", "show chain nat KUBE-S", "KUBE-SVC-Y4T5L63IYP3YFEBS", "\\", "\\\n", "\n", "\r\n", '"', "'", " ", "#", "->", "stats 2000", "lesson 1", "\t", "é", "🙂", "\u0000"),
  fc.string({ maxLength: 12 }),
);
const CELL = fc.array(PIECE, { maxLength: 12 }).map((ps) => ps.join(" "));
const CURSOR = fc.oneof(fc.integer({ min: -5, max: 400 }), fc.constantFrom(Number.NaN, Infinity, -Infinity, 1.5, 2 ** 40));

/**
 * The node's own reads and commands, but no file written: a random cell can end in `> FILE`
 * (any command's output to a file), which would leave files named by the fuzzer in the checkout.
 */
const written = new Map<string, string>();
const fuzzIo: Io = { ...nodeIo, writeFile: (path, text) => void written.set(path, text) };

describe("kernel requests (fuzz)", () => {
  it("found by the fuzzer: a cursor past the end of the cell (or NaN) completes at the end (or start)", () => {
    const s = new Session(loadCanned("article"), fuzzIo, 1);
    expect(completeCell(s, "", 1)).toMatchObject({ cursor_start: 0, cursor_end: 0 });
    expect(completeCell(s, "sho", 99)).toMatchObject({ matches: ["show"], cursor_start: 0, cursor_end: 3 });
    expect(completeCell(s, "sho", Number.NaN)).toMatchObject({ cursor_start: 0, cursor_end: 0 });
  });

  it("execute, complete, inspect and is_complete answer any cell at any cursor", () => {
    const before = readdirSync(".").sort();
    const s = new Session(loadCanned("article"), fuzzIo, 1);
    s.stepByStep = true;
    let cells = 0;
    fc.assert(
      fc.property(CELL, CURSOR, (code, cursor) => {
        cells++;
        const lines = code.split(/\r\n|\r|\n/).length;
        const err = runCell(s, code, () => undefined);
        if (err) {
          expect(err.evalue).not.toMatch(/\n/);
          expect(err.evalue).not.toMatch(/internal error/);
          expect(err.line).toBeGreaterThanOrEqual(1);
          expect(err.line).toBeLessThanOrEqual(lines);
        }
        const c = completeCell(s, code, cursor);
        const length = [...code].length;
        expect(c.cursor_start).toBeGreaterThanOrEqual(0);
        expect(c.cursor_start).toBeLessThanOrEqual(c.cursor_end);
        expect(c.cursor_end).toBeLessThanOrEqual(length);
        expect(Array.isArray(c.matches)).toBe(true);
        const i = inspectCell(s, code, cursor, 1);
        expect(typeof i.found).toBe("boolean");
        if (i.found) expect(typeof i.data["text/plain"]).toBe("string");
        expect(["complete", "incomplete"]).toContain(isComplete(code).status);
        expect(() => splitCell(code)).not.toThrow();
      }),
      { ...fuzzParams(), interruptAfterTimeLimit: FUZZ_MS / 2 },
    );
    console.info(`fuzz kernel: ${cells} cells executed, completed and inspected`);
    // the session still works as it did
    expect(runLine(s, "load canned article").error).toBeUndefined();
    expect(runLine(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898").error).toBeUndefined();
    // and nothing was left in the working directory
    expect(readdirSync(".").sort()).toEqual(before);
  }, FUZZ_MS + 60_000);
});
