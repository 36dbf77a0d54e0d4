// Completion of chain names and addresses: a binary search into the ruleset's sorted words,
// which the session sorts once and forgets when `iptables` changes the rules.
import { describe, expect, it } from "vitest";
import { completeLine } from "../../src/lang/commands/index.js";
import { prefixFilter, sortedPrefix } from "../../src/lang/complete.js";
import { articleSession, run } from "../helpers/session.js";

describe("completion", () => {
  it("finds a prefix's words in a sorted list as filtering the whole list does", () => {
    const words = ["KUBE-SEP-A", "KUBE-SEP-B", "KUBE-SERVICES", "KUBE-SVC-Y4T5", "cali-INPUT", "cali-fw-cali5c2e", "", "a", "ab", "abc", "b", "10.43.0.1", "10.43.0.10", "10.43.156.98"];
    const sorted = [...words].sort();
    for (const w of [...words, "KUBE-S", "KUBE-SE", "KUBE-Z", "cali", "10.43.0", "zz", "!", "~"]) {
      for (let k = 0; k <= w.length; k++) expect(sortedPrefix(sorted, w.slice(0, k)), w.slice(0, k)).toEqual(prefixFilter(words, w.slice(0, k)));
    }
  });

  it("offers the ruleset's chains, and follows iptables -N and -X", () => {
    const s = articleSession();
    const chains = [...s.engine.ruleset.tables.get("nat")!.chains.keys()].filter((c) => c.startsWith("KUBE-SVC-")).sort();
    expect(chains.length).toBeGreaterThan(3);
    expect(completeLine(s, "break chain KUBE-SVC-")).toEqual(chains);
    run(s, "iptables -t nat -N KUBE-SVC-ZZZZTESTCHAIN");
    expect(completeLine(s, "break chain KUBE-SVC-")).toEqual([...chains, "KUBE-SVC-ZZZZTESTCHAIN"]);
    run(s, "iptables -t nat -X KUBE-SVC-ZZZZTESTCHAIN");
    expect(completeLine(s, "break chain KUBE-SVC-")).toEqual(chains);
  });

  it("offers the node's addresses and the ruleset's destination hosts", () => {
    const s = articleSession();
    const offered = completeLine(s, "send tcp 192.168.1.20:40000 -> 10.43.");
    expect(offered).toContain("10.43.156.98");
    expect(offered).toEqual([...offered].sort());
    expect(offered.every((a) => a.startsWith("10.43."))).toBe(true);
    expect(completeLine(s, "send tcp 192.168.1.20:40000 -> 192.168.1.8")).toEqual(["192.168.1.88"]);
  });
});
