// Load-time path validation has a fast proof (provablyValid, one pass in file order) and the
// precise walk that names the culprit (findViolation). The fast proof may only say "valid" when
// the precise walk finds nothing: on random jump graphs — loops, deep chains, gotos, chains no
// hook reaches, DNAT and MASQUERADE reachable from hooks that refuse them — a ruleset that loads
// has no violation, and the fast proof says "valid" for every ruleset the kernel would accept.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { findViolation, provablyValid } from "../../src/engine/parse/path-validation.js";
import { createRng } from "../../src/engine/rng.js";
import { isUserError } from "../../src/engine/parse/errors.js";

function randomGraph(seed: number): string {
  const r = createRng(seed);
  const n = 2 + (r.u32() % 30);
  const names = Array.from({ length: n }, (_, i) => `C${i}`);
  const lines = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]", ...names.map((c) => `:${c} - [0:0]`)];
  const from = ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING", ...names];
  const edges = r.u32() % (n * 2);
  for (let i = 0; i < edges; i++) {
    const a = from[r.u32() % from.length]!;
    // mostly forward edges (deep chains); sometimes backward (loops)
    const bi = r.u32() % 10 < 8 ? Math.min(n - 1, Math.max(0, names.indexOf(a) + 1 + (r.u32() % 3))) : r.u32() % n;
    lines.push(`-A ${a} -p tcp ${r.u32() % 4 === 0 ? "-g" : "-j"} ${names[bi]}`);
  }
  // often a straight run of jumps from a hook, around the kernel's limit of 15 nested jumps
  if (r.u32() % 3 === 0) {
    const k = Math.min(n - 1, 12 + (r.u32() % 8));
    lines.push(`-A OUTPUT -j C0`);
    for (let i = 0; i < k; i++) lines.push(`-A C${i} -p udp -j C${i + 1}`);
  }
  for (let i = 0; i < r.u32() % 4; i++) {
    const c = from[r.u32() % from.length]!;
    lines.push(r.u32() % 2 ? `-A ${c} -p tcp -j DNAT --to-destination 10.0.0.1:80` : `-A ${c} -j MASQUERADE`);
  }
  lines.push("COMMIT", "");
  return lines.join("\n");
}

describe("fast path validation", () => {
  it("says valid only when the precise walk finds nothing, and for every ruleset that loads", () => {
    let loaded = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        const text = randomGraph(seed);
        let table;
        try {
          table = parseRuleset(text, { file: "graph.rules" }).tables.get("nat")!;
        } catch (e) {
          if (!isUserError(e)) throw e;
          refused++;
          return;
        }
        loaded++;
        expect(findViolation(table, () => true)).toBeUndefined();
        expect(provablyValid(table)).toBe(true);
      }),
      { numRuns: 600 },
    );
    // both outcomes happened, so both sides were compared
    expect(loaded).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });
});
