/**
 * `save [ipsets]`: the loaded ruleset as iptables-save prints it, or the ipsets as ipset save does.
 *
 * Why: after `iptables` edits a learner takes the ruleset away in the form every tool reads.
 */
import type { Command } from "../command.js";
import { saveRuleset } from "../../engine/save/save.js";
import { saveIpsets } from "../../engine/model/ipset.js";

export const save: Command = {
  name: "save",
  maxArgs: 1,
  usage: "save [ipsets]",
  summary: "the loaded ruleset as iptables-save prints it (or the ipsets as ipset save does)",
  examples: ["save"],
  run(s, args) {
    if (args[0]?.text === "ipsets") return { text: saveIpsets(s.engine.node.ipsets).replace(/\n$/, "") };
    return { text: saveRuleset(s.engine.ruleset).replace(/\n$/, "") };
  },
};
