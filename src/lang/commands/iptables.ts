/**
 * `iptables …`: change or list the loaded ruleset as the iptables command would.
 *
 * Why: a learner adds a TRACE rule or deletes a rule and sends the packet again; the kernel's
 * checks (a jump to a missing chain, deleting a chain in use) refuse what the kernel refuses.
 */
import type { Command, TableDisplay } from "../command.js";
import { CommandError } from "../words.js";
import { ParseError, RuleError } from "../../engine/parse/errors.js";
import { listChainsLikeIptables } from "../../format/list.js";
import { applyIptables } from "../../engine/parse/iptables-command.js";
import { completeChain, completeTable } from "../complete.js";
import { chainTable } from "../../format/rich/displays.js";
import { SHOWN_LINES } from "../long-output.js";
import type { Session } from "../session.js";
import type { TableName } from "../../engine/model/ruleset.js";

export const iptables: Command = {
  name: "iptables",
  usage: "iptables [-t TABLE] -A|-I|-D CHAIN RULE... | -N|-X|-F CHAIN | -P CHAIN POLICY | -L [CHAIN] [-v] | -S [CHAIN]",
  summary: "change or list the loaded ruleset as the iptables command would (the kernel's checks apply)",
  examples: ["iptables -t raw -A OUTPUT -p tcp --dport 9898 -j TRACE", "iptables -t nat -L KUBE-SERVICES -v", "iptables -t raw -D OUTPUT 3"],
  details: "New rules take the next handle of their table, as the kernel numbers them; conntrack state is kept, as on a live node.",
  run(s, args) {
    let r: ReturnType<typeof applyIptables>;
    try {
      r = applyIptables(s.engine.ruleset, args.map((a) => ({ text: a.text, column: a.col, quoted: false })), { ipsets: s.engine.node.ipsets });
    } catch (e) {
      // errors point into the typed line, not a file
      if (e instanceof ParseError) throw new CommandError(e.detail, e.column);
      if (e instanceof RuleError) throw new CommandError(e.detail);
      throw e;
    }
    s.rulesChanged();
    if (r.list) {
      const { table, verbose, exact, lineNumbers } = r.list;
      const lines = listChainsLikeIptables(s.engine.ruleset, table, r.list.chains, { verbose, exact, lineNumbers, counters: s.countersAtCursor() });
      return { text: lines.join("\n"), display: chainTables(s, table, r.list.chains) };
    }
    return { text: r.text };
  },
  complete(s, args, partial) {
    const prev = args[args.length - 1]?.text;
    if (prev === "-t") return completeTable(s, partial);
    const t = args.find((_, i) => args[i - 1]?.text === "-t")?.text;
    if (prev && /^-[AIDLSFXP]$/.test(prev)) return completeChain(s, t ?? "filter", partial);
    return args.length === 0 ? ["-t"] : [];
  },
};

/**
 * The listed chains as tables, up to just past the rows a front end shows (SHOWN_LINES; it cuts
 * them there and says so): a whole table of a big node is 100,000 chains, and their tables would
 * take a hundred megabytes nobody sees.
 */
function chainTables(s: Session, table: TableName, chains: readonly string[]): TableDisplay[] {
  const out: TableDisplay[] = [];
  const counters = s.countersAtCursor();
  let rows = 0;
  for (const c of chains) {
    if (rows > SHOWN_LINES) break;
    const t = chainTable(s, table, c, counters);
    if (t) out.push(t);
    rows += t?.rows.length ?? 0;
  }
  return out;
}
