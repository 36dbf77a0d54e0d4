// A match's test() is a pure question unless its module says otherwise (`effects`): statistic
// draws the walk's random numbers or counts packets, limit spends tokens, recent records
// addresses. Anything that skips or repeats rule tests (an index, a preview) must know which rules
// it may not skip. Both sides are checked: a module that declares an effect really has it, and
// every vector of test/ext (run by test/helpers/ext-vectors.ts) fails if its rule's matches draw
// or write without declaring it.
import { describe, expect, it } from "vitest";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { MATCHES } from "../../src/engine/ext/registry.js";
import type { MatchEnv, StateStore } from "../../src/engine/ext/types.js";
import type { Rng } from "../../src/engine/rng.js";
import { createRng } from "../../src/engine/rng.js";
import { articleSession } from "../helpers/session.js";
import { splitWords } from "../../src/lang/words.js";
import { runVector } from "../helpers/ext-vectors.js";
import { parsePacketSpec } from "../../src/lang/packet-spec.js";

/** An rng and a store that count what test() did to them. */
function watched() {
  const seen = { draws: 0, writes: 0 };
  const base = createRng(7);
  const rng: Rng = { u32: () => (seen.draws++, base.u32()), clone: () => base.clone() };
  const store: StateStore = new Map();
  const set = store.set.bind(store);
  store.set = (k, v) => (seen.writes++, set(k, v));
  return { seen, rng, store };
}

/** Every match instance of the rules in the ruleset texts found in a vector file. */
function matchesIn(rulesText: string) {
  return [...parseRuleset(rulesText, { file: "effects" }).tables.values()].flatMap((t) => [...t.chains.values()].flatMap((c) => c.rules.flatMap((r) => r.matches)));
}

function envFor(rng: Rng, store: StateStore, now: number): MatchEnv {
  const s = articleSession();
  const pkt = s.packetFromSpec(parsePacketSpec(splitWords("tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0")));
  return { pkt, hook: "INPUT", table: "filter", node: s.engine.node, rng, now, store };
}

describe("match effects", () => {
  it("statistic --mode random draws one number per test; --mode nth counts; limit and recent --set write", () => {
    const rules = matchesIn(
      [
        "*filter",
        ":INPUT ACCEPT [0:0]",
        "-A INPUT -m statistic --mode random --probability 0.5 -j ACCEPT",
        "-A INPUT -m statistic --mode nth --every 3 --packet 0 -j ACCEPT",
        "-A INPUT -m limit --limit 1/sec -j ACCEPT",
        "-A INPUT -m recent --set --name seen --rsource -j ACCEPT",
        "-A INPUT -m recent --rcheck --name seen --rsource -j ACCEPT",
        "COMMIT",
        "",
      ].join("\n"),
    );
    const expected = ["draws-random", "keeps-state", "keeps-state", "keeps-state", undefined];
    expect(rules.map((m) => m.module.effects?.(m.data))).toEqual(expected);
    for (const [i, m] of rules.entries()) {
      const { seen, rng, store } = watched();
      const env = envFor(rng, store, 1000);
      m.module.test(m.data, env);
      m.module.test(m.data, env);
      if (expected[i] === "draws-random") expect(seen.draws, m.module.name).toBe(2);
      if (expected[i] === "keeps-state") expect(seen.writes, `${m.module.name} #${i}`).toBeGreaterThan(0);
    }
  });

  it("the vector harness refuses a module that draws or writes without declaring it", () => {
    const stat = MATCHES.get("statistic")!;
    const saved = stat.effects;
    try {
      stat.effects = undefined;
      expect(() => runVector({ name: "undeclared", chain: "INPUT", rule: "-m statistic --mode random --probability 0.5 -j ACCEPT", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: "match" })).toThrow(/statistic test\(\) drew a random number/);
      const limit = MATCHES.get("limit")!;
      const savedLimit = limit.effects;
      limit.effects = undefined;
      try {
        expect(() => runVector({ name: "undeclared", chain: "INPUT", rule: "-m limit --limit 1/sec -j ACCEPT", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0", expect: "match" })).toThrow(/limit test\(\) wrote state/);
      } finally {
        limit.effects = savedLimit;
      }
    } finally {
      stat.effects = saved;
    }
  });
});
