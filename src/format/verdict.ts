/**
 * A rule's verdict as xtables-monitor prints it after `rule:0xHANDLE:`.
 *
 * Why: the trace formatter, explain output and the notebook walk table name verdicts the same
 * way; the engine's Verdict is data.
 */
import type { Verdict } from "../engine/trace/events.js";

export function verdictText(v: Verdict): string {
  switch (v.kind) {
    case "JUMP":
    case "GOTO":
      return `${v.kind}:${v.chain}`;
    case "RETURN":
      return "0xfffffffb"; // NFT_RETURN, printed as a raw number by xtables-monitor
    default:
      return v.kind;
  }
}
