// Scenario files (docs/scenarios.md): every field read into the node and ruleset, every mistake
// reported at its file:line:column with the field path, and the shipped scenarios loading.
import { describe, expect, it } from "vitest";
import { Session } from "../../src/lang/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import { loadCanned } from "../../src/sources/load.js";
import { loadScenario } from "../../src/sources/scenario.js";
import { nodeIo } from "../../src/sources/io.js";
import { saveRuleset } from "../../src/engine/save/save.js";
import { saveIpsets } from "../../src/engine/model/ipset.js";

function run(s: Session, ...lines: string[]): string {
  return lines
    .map((l) => {
      const r = runLine(s, l);
      if (r.error) throw new Error(`${l}: ${r.error}`);
      return r.text;
    })
    .join("\n");
}

describe("shipped scenarios", () => {
  it("article.yaml is the canned article, byte for byte", () => {
    const canned = loadCanned("article");
    const file = loadScenario(nodeIo, "article");
    const cmds = ["format xtables-monitor", "connect tcp 192.168.1.88:49058 -> 10.43.156.98:9898 payload 81"];
    for (const seed of [1, 71508]) {
      const a = run(new Session(canned, nodeIo, seed), ...cmds);
      const b = run(new Session(file, nodeIo, seed), ...cmds);
      expect(a.length).toBeGreaterThan(1000);
      expect(b).toBe(a);
    }
    expect(file.title).toBe(canned.title);
    expect(file.hint).toBe(canned.hint);
    expect(saveRuleset(file.ruleset)).toBe(saveRuleset(canned.ruleset));
    expect(saveIpsets(file.node.ipsets)).toBe(saveIpsets(canned.node.ipsets));
    const { routes: r1, ...n1 } = file.node;
    const { routes: r2, ...n2 } = canned.node;
    expect({ ...n1, ipsets: undefined }).toEqual({ ...n2, ipsets: undefined });
    const key = (r: object) => JSON.stringify(r, Object.keys(r).sort());
    expect(r1.map(key).sort()).toEqual(r2.map(key).sort());
  });
});
