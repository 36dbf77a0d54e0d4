// Whole restore files that iptables-nft-restore 1.8.9 accepts or refuses (measured, with its
// exact messages in test/fixtures/restore-errors/*.expected). ktrace must accept and refuse the
// same files, blame the same line, and for kernel rejections say what the kernel said.
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { fixturePath } from "../helpers/vectors.js";
import { saveRuleset } from "../../src/engine/save/save.js";


const dir = fixturePath("restore-errors");
const cases = readdirSync(dir).filter((f) => f.endsWith(".rules")).map((f) => f.replace(/\.rules$/, ""));

/** Deliberate differences, with the reason. */
const DEVIATIONS: Record<string, string> = {
  "17c-unterminated-quote": "ktrace refuses an unterminated quote instead of letting it swallow the line",
};

describe("restore files (iptables-nft-restore 1.8.9 as the oracle)", () => {
  it("has the measured cases", () => expect(cases.length).toBeGreaterThan(50));
  for (const name of cases) {
    it(name, () => {
      const input = readFileSync(`${dir}/${name}.rules`, "utf8");
      const expected = readFileSync(`${dir}/${name}.expected`, "utf8");
      const exit = Number(/exit=(\d+)/.exec(expected)?.[1]);
      let error: string | undefined;
      try {
        parseRuleset(input, { file: name });
      } catch (e) {
        error = (e as Error).message;
      }
      if (DEVIATIONS[name]) {
        expect(error).toMatch(new RegExp(`^${name}:\\d+:\\d+: `));
        return;
      }
      if (exit === 0) {
        expect(error).toBeUndefined();
        // and it saves as iptables-nft-save printed it: every built-in chain, user chains sorted,
        // values as written (--mark 0x1/0xf0)
        const saved = `${dir}/${name}.nft-save`;
        if (existsSync(saved)) expect(saveRuleset(parseRuleset(input, { file: name }))).toBe(readFileSync(saved, "utf8"));
        return;
      }
      expect(error, "iptables-nft-restore refused this file").toBeDefined();
      // an option given twice: the same extension is named (iptables names the option by its long name)
      const once = /\(nf_tables\): (\w+): option "--[\w-]+" can only be used once/.exec(expected);
      if (once) expect(error).toMatch(new RegExp(`: ${once[1]}: option "--[\\w-]+" can only be used once`));
      // the same line is blamed
      const kernelLine = /line (\d+): [A-Z_]+ failed \(([^)]+)\): (rule in chain|chain) (\S+)/.exec(expected);
      const userLine = /Error occurred at line: (\d+)/.exec(expected) ?? /line (\d+) failed/.exec(expected) ?? /COMMIT expected at line (\d+)/.exec(expected);
      if (kernelLine) {
        expect(error).toContain(`${name}:${kernelLine[1]}: `);
        expect(error).toContain(`failed (${kernelLine[2]}): ${kernelLine[3]} ${kernelLine[4]}`);
      } else if (userLine && !/COMMIT expected/.test(expected)) {
        // nft reports a missing jump target at COMMIT; ktrace points at the rule itself
        if (!/does not exist/.test(expected)) expect(error).toMatch(new RegExp(`^${name}:${userLine[1]}(:\\d+)?: `));
        else expect(error).toMatch(/Chain '\w+' does not exist/);
      }
    });
  }
});
