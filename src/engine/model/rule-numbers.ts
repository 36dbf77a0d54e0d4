/**
 * A rule's 1-based number in its chain, as `iptables -L --line-numbers` counts, by handle.
 *
 * Why: explain, `where`, the stepper and the walk table all print "KUBE-SERVICES #9801"; finding
 * the number by scanning the chain for every rule shown costs O(chain) each, which on a
 * 10,000-Service node turned one explained packet into 10,000 × 10,000 steps. The numbers of a
 * chain are worked out once, when first asked, and forgotten when the ruleset changes.
 */
import type { Chain, Ruleset } from "./ruleset.js";

export class RuleNumbers {
  private byChain = new WeakMap<Chain, { length: number; numbers: Map<number, number> }>();

  constructor(private ruleset: () => Ruleset) {}

  /** The rule's number in its chain; undefined when no rule of the chain has that handle. */
  of(table: string, chain: string, handle: number): number | undefined {
    const c = this.ruleset().tables.get(table as never)?.chains.get(chain);
    if (!c) return undefined;
    let known = this.byChain.get(c);
    // a chain edited in place (iptables -A/-I/-D) is counted again
    if (!known || known.length !== c.rules.length) {
      known = { length: c.rules.length, numbers: new Map(c.rules.map((r, i) => [r.handle, i + 1])) };
      this.byChain.set(c, known);
    }
    return known.numbers.get(handle);
  }

  /** After an edit that may keep the chain's length (a replace, a delete and an insert). */
  forget(): void {
    this.byChain = new WeakMap();
  }
}
