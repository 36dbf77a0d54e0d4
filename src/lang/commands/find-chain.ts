/**
 * Finding the chain a command names (`show chain nat KUBE-SERVICES`, `break rule …`), with the
 * error a learner needs when it is not there: a table typed as a chain, a near miss, a prefix.
 *
 * Why: several commands take TABLE CHAIN; they all answer a typo the same way.
 */
import type { Session } from "../session.js";
import { CommandError, type Word } from "../words.js";
import { didYouMean } from "../../engine/parse/errors.js";
import { TABLE_NAMES, type Chain, type TableName } from "../../engine/model/ruleset.js";

export function findChain(s: Session, tableWord: Word | undefined, chainWord: Word | undefined): Chain {
  if (!tableWord) throw new CommandError("which table?", undefined, "show chain TABLE CHAIN, e.g. show chain nat KUBE-SERVICES");
  const t = tableWord.text as TableName;
  const table = s.engine.ruleset.tables.get(t);
  if (!table) {
    const holders = [...s.engine.ruleset.tables.values()].filter((x) => x.chains.has(tableWord.text)).map((x) => x.name);
    if (holders.length) throw new CommandError(`"${tableWord.text}" is a chain; which table?`, tableWord.col, holders.map((h) => `show chain ${h} ${tableWord.text}`).join(" or "));
    const hint = didYouMean(tableWord.text, TABLE_NAMES);
    throw new CommandError(`no table ${tableWord.text} in this ruleset`, tableWord.col, hint ? `did you mean ${hint}?` : `tables: ${[...s.engine.ruleset.tables.keys()].join(", ")}`);
  }
  if (!chainWord) throw new CommandError("which chain?", undefined, `chains of ${t}: ${table.order.slice(0, 8).join(", ")}${table.order.length > 8 ? ", ..." : ""}`);
  const c = table.chains.get(chainWord.text);
  if (!c) {
    const prefixed = [...table.chains.keys()].filter((n) => n.startsWith(chainWord.text));
    const hint = prefixed.length === 1 ? prefixed[0] : didYouMean(chainWord.text, table.chains.keys());
    throw new CommandError(`unknown chain ${chainWord.text} in ${t}`, chainWord.col, hint ? `did you mean ${hint}?` : undefined);
  }
  return c;
}
