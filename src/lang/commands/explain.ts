/**
 * `explain chain NAME`: what a chain is — a KUBE-* chain's Service and endpoint, kube-proxy's fixed
 * chains, a Calico chain — and which tables hold it.
 *
 * Why: hashed chain names are opaque; the decoders live in sources/ (one per proxy or CNI), this
 * command only asks them.
 */
import type { Command } from "../command.js";
import { CommandError } from "../words.js";
import { didYouMean } from "../../engine/parse/errors.js";
import { completeChain } from "../complete.js";
import { describeCalicoChain } from "../../sources/calico/names.js";

export const explain: Command = {
  name: "explain",
  maxArgs: 2,
  usage: "explain chain NAME",
  summary: "what a chain is: a KUBE-* chain's Service and endpoint, kube-proxy's fixed chains, a Calico chain",
  examples: ["explain chain KUBE-SVC-Y4T5L63IYP3YFEBS", "explain chain KUBE-SEP-OYNVDBAPYJ623W6H"],
  run(s, args) {
    if (args[0]?.text !== "chain" || !args[1]) throw new CommandError(`expected "explain chain NAME"`, args[0]?.col ?? 1);
    const name = args[1].text;
    const where = [...s.engine.ruleset.tables.values()].filter((t) => t.chains.has(name)).map((t) => {
      const n = t.chains.get(name)!.rules.length;
      return `${t.name} (${n} rule${n === 1 ? "" : "s"})`;
    });
    if (!where.length) {
      const all = completeChain(s, undefined, "");
      const starts = all.filter((n) => n.startsWith(name));
      const hint = starts.length === 1 ? starts[0] : didYouMean(name, all);
      throw new CommandError(`unknown chain ${name}`, args[1].col, hint ? `did you mean ${hint}?` : undefined);
    }
    const meaning = s.names.decode(name) ?? describeCalicoChain(name) ?? `${name} is not a chain ktrace can name (no kube-proxy comment or hash points to it)`;
    return { text: `${meaning}\nin: ${where.join(", ")}`, display: [{ kind: "table", title: name, columns: ["", ""], rows: [["what it is", meaning], ["in tables", where.join(", ")]] }] };
  },
  complete: (s, args, partial) => (args.length === 0 ? ["chain"] : completeChain(s, undefined, partial)),
};
