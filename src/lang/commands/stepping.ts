/**
 * Stepping through the current packet's walk: step, next, finish, continue, back, where, and
 * breakpoints.
 *
 * Why: a learner follows the article's packet rule by rule, jumping to the interesting chains,
 * and undoes a step when they went too far — like a debugger for netfilter.
 */
import type { Command, CommandOutput } from "../command.js";
import type { Session } from "../session.js";
import { CommandError, type Word } from "../words.js";
import type { Breakpoint, Stepper } from "../stepper.js";
import { TABLE_NAMES, type TableName } from "../../engine/model/ruleset.js";
import { HOOKS, type Hook } from "../../engine/walk/hooks.js";
import { describeCt, describePacket } from "../../format/describe.js";
import { CT_STATES } from "../../engine/conntrack/entry.js";
import { findChain } from "./find-chain.js";
import { didYouMean } from "../../engine/parse/errors.js";
import { completeChain, completeTable, prefixFilter } from "../complete.js";
import { walkText } from "../../format/explain.js";
import { missesLine, missesRange } from "../../format/misses.js";
import { cursorPlace, walkDisplay, whereTable } from "../../format/rich/displays.js";
import { sendExample } from "../send-example.js";

function stepper(s: Session): Stepper {
  if (!s.stepper) throw new CommandError("no packet to step through", undefined, `send one first, e.g. ${sendExample(s)}`);
  return s.stepper;
}

function count(w: Word | undefined): number {
  if (!w) return 1;
  if (!/^\d+$/.test(w.text) || Number(w.text) < 1) throw new CommandError(`expected a number of steps, not "${w.text}"`, w.col);
  return Number(w.text);
}

/** One line: where the cursor is (hook ▸ table ▸ chain ▸ rule) and the packet there. */
export function whereLine(s: Session): string {
  const st = s.stepper;
  if (!st) return "no packet";
  const p = st.position();
  return `${cursorPlace(st, false)} | ${describePacket(p.pkt)}${p.outIf ? ` out ${p.outIf}` : ""} | ct ${describeCt(p.ct)}`;
}

function moved(s: Session, move: (st: Stepper) => Parameters<Session["render"]>[0]): CommandOutput {
  const st = stepper(s);
  const before = st.position();
  const events = move(st);
  const from = { hook: before.hook, table: before.table };
  const tail = `  @ ${st.done ? "(at the packet's fate — send another, or back)" : whereLine(s)}`;
  if (s.format === "explain") {
    const display = [{ ...walkDisplay(s, st.sent.input, events), from, after: [tail] }];
    return { text: walkText(display), events, display };
  }
  return { text: [s.render(events), tail].filter(Boolean).join("\n"), events };
}

export const step: Command = {
  name: "step",
  maxArgs: 1,
  aliases: ["s"],
  usage: "step [N]",
  summary: "advance N steps (a rule tested, a NAT, a routing decision...)",
  examples: ["step", "step 5"],
  run: (s, args) => moved(s, (st) => st.step(count(args[0]))),
};

export const next: Command = {
  name: "next",
  maxArgs: 0,
  aliases: ["n"],
  usage: "next",
  summary: "run to the next chain or table",
  examples: ["next"],
  run: (s) => moved(s, (st) => st.next()),
};

export const finish: Command = {
  name: "finish",
  maxArgs: 0,
  usage: "finish",
  summary: "run to the end of the current hook",
  examples: ["finish"],
  run: (s) => moved(s, (st) => st.finish()),
};

export const cont: Command = {
  name: "continue",
  maxArgs: 0,
  aliases: ["c"],
  usage: "continue",
  summary: "run to the packet's fate or the next breakpoint",
  examples: ["continue"],
  run(s) {
    let hit: number | undefined;
    const out = moved(s, (st) => {
      const r = st.continue(s.breaks);
      hit = r.hit;
      return r.events;
    });
    if (hit !== undefined) {
      const said = `breakpoint ${hit + 1}: ${describeBreak(s.breaks[hit]!)}`;
      out.text = `${said}\n${out.text}`;
      for (const d of out.display ?? []) if (d.kind === "walk") d.before = [said];
    }
    return out;
  },
};

export const back: Command = {
  name: "back",
  maxArgs: 1,
  aliases: ["b"],
  usage: "back [N]",
  summary: "undo N steps (the cursor moves back over the walk, which was computed once)",
  examples: ["back", "back 3"],
  run(s, args) {
    const st = stepper(s);
    if (st.pos < 0) throw new CommandError("already at the start of this packet's walk");
    st.back(count(args[0]));
    const tail = `  @ ${whereLine(s)}`;
    return { text: tail, display: s.format === "explain" ? [{ ...walkDisplay(s, st.sent.input, []), after: [tail] }] : undefined };
  },
};

export const where: Command = {
  name: "where",
  maxArgs: 0,
  usage: "where",
  summary: "hook, table, chain, rule and the stack of jumps that led here",
  examples: ["where"],
  run(s) {
    const st = stepper(s);
    const p = st.position();
    const lines = [whereLine(s)];
    if (p.stack.length && p.table) lines.push("jump stack:", ...p.stack.map((c, i) => `  ${"  ".repeat(i)}${i === 0 ? "" : "↳ "}${p.table} ${c}`));
    const e = p.event;
    if (e && (e.kind === "rule" || e.kind === "nomatch")) lines.push(`rule: -A ${e.rule.chain} ${e.rule.text}  (handle 0x${e.rule.handle.toString(16)})`);
    else if (e?.kind === "misses") lines.push(`rules ${missesRange(e)} of ${e.chain}: ${missesLine(e)}`);
    return { text: lines.join("\n"), display: [whereTable(s)!] };
  },
};

function describeBreak(b: Breakpoint): string {
  switch (b.kind) {
    case "ctstate":
      return `conntrack state ${b.state}`;
    case "chain":
      return `chain ${b.table ? b.table + " " : ""}${b.chain}`;
    case "table":
      return `table ${b.table}${b.hook ? " " + b.hook : ""}`;
    case "rule":
      return `rule ${b.table} ${b.chain} #${b.index}`;
    case "verdict":
      return `verdict ${b.verdict}`;
    case "hook":
      return `hook ${b.hook}`;
  }
}

const VERDICTS = ["ACCEPT", "DROP", "JUMP", "GOTO", "RETURN", "CONTINUE", "NAT"];

export const breakCmd: Command = {
  name: "break",
  maxArgs: 4,
  usage: "break chain [TABLE] CHAIN | table TABLE [HOOK] | hook HOOK | rule TABLE CHAIN N | verdict ACCEPT|DROP|JUMP|GOTO|RETURN|CONTINUE|NAT | ctstate NEW|ESTABLISHED|RELATED|INVALID|UNTRACKED",
  summary: "stop `continue` when the walk reaches a chain, table, hook, rule or verdict, or conntrack gives the packet a state",
  examples: ["break chain KUBE-SVC-Y4T5L63IYP3YFEBS", "break table nat", "break verdict DROP", "break rule nat KUBE-SERVICES 6", "break ctstate INVALID"],
  run(s, args) {
    const [kind, a, b, c] = args;
    let bp: Breakpoint;
    const tableOf = (w: Word | undefined): TableName => {
      if (!w || !(TABLE_NAMES as readonly string[]).includes(w.text)) throw new CommandError(`expected a table (${TABLE_NAMES.join(", ")})`, w?.col);
      return w.text as TableName;
    };
    switch (kind?.text) {
      case "chain": {
        if (!a) throw new CommandError("break chain needs a chain name", kind.col);
        if (b) {
          const ch = findChain(s, a, b);
          bp = { kind: "chain", table: a.text as TableName, chain: ch.name };
        } else {
          const all = completeChain(s, undefined, "");
          if (!all.includes(a.text)) {
            const starts = all.filter((n) => n.startsWith(a.text));
            const hint = starts.length === 1 ? starts[0] : didYouMean(a.text, all);
            throw new CommandError(`unknown chain ${a.text}`, a.col, hint ? `did you mean ${hint}?` : undefined);
          }
          bp = { kind: "chain", chain: a.text };
        }
        break;
      }
      case "table":
        bp = { kind: "table", table: tableOf(a), hook: b ? hookOf(b) : undefined };
        break;
      case "hook":
        bp = { kind: "hook", hook: hookOf(a) };
        break;
      case "rule": {
        const ch = findChain(s, a, b);
        const n = c && /^\d+$/.test(c.text) ? Number(c.text) : NaN;
        const rule = ch.rules[n - 1];
        if (!rule) throw new CommandError(`${ch.name} has ${ch.rules.length} rules; give a number from 1 to ${ch.rules.length}`, c?.col ?? b?.col);
        bp = { kind: "rule", table: a!.text as TableName, chain: ch.name, index: n, handle: rule.handle };
        break;
      }
      case "verdict": {
        const v = a?.text.toUpperCase();
        if (!v || !VERDICTS.includes(v)) throw new CommandError(`expected a verdict (${VERDICTS.join(", ")})`, a?.col);
        bp = { kind: "verdict", verdict: v };
        break;
      }
      case "ctstate": {
        const st = a?.text.toUpperCase();
        if (!st || !(CT_STATES as readonly string[]).includes(st)) throw new CommandError(`expected a conntrack state (${CT_STATES.join(", ")})`, a?.col);
        bp = { kind: "ctstate", state: st };
        break;
      }
      default:
        throw new CommandError(`break what? "${kind?.text ?? ""}"`, kind?.col, "break chain|table|hook|rule|verdict|ctstate ...");
    }
    s.breaks.push(bp);
    return { text: `breakpoint ${s.breaks.length}: ${describeBreak(bp)}` };
  },
  complete(s, args, partial) {
    if (args.length === 0) return prefixFilter(["chain", "table", "hook", "rule", "verdict", "ctstate"], partial);
    if (args[0]!.text === "ctstate") return prefixFilter(CT_STATES, partial.toUpperCase());
    const k = args[0]!.text;
    if (k === "chain") return args.length === 1 ? [...completeTable(s, partial), ...completeChain(s, undefined, partial)] : completeChain(s, args[1]!.text, partial);
    if (k === "table") return args.length === 1 ? completeTable(s, partial) : prefixFilter(HOOKS, partial);
    if (k === "hook") return prefixFilter(HOOKS, partial);
    if (k === "rule") return args.length === 1 ? completeTable(s, partial) : args.length === 2 ? completeChain(s, args[1]!.text, partial) : [];
    if (k === "verdict") return prefixFilter(VERDICTS, partial.toUpperCase());
    return [];
  },
};

function hookOf(w: Word | undefined): Hook {
  const h = w?.text.toUpperCase();
  if (!h || !(HOOKS as readonly string[]).includes(h)) throw new CommandError(`expected a hook (${HOOKS.join(", ")})`, w?.col);
  return h as Hook;
}

export const breaks: Command = {
  name: "breaks",
  maxArgs: 0,
  usage: "breaks",
  summary: "list breakpoints",
  examples: ["breaks"],
  run: (s) => ({
    text: s.breaks.length ? s.breaks.map((b, i) => `${i + 1}: ${describeBreak(b)}`).join("\n") : "no breakpoints",
    display: s.breaks.length ? [{ kind: "table", title: "breakpoints", columns: ["#", "stops at"], rows: s.breaks.map((b, i) => [String(i + 1), describeBreak(b)]) }] : undefined,
  }),
};

export const deleteCmd: Command = {
  name: "delete",
  maxArgs: 2,
  usage: "delete break N  (or: delete N)",
  summary: "remove a breakpoint",
  examples: ["delete break 1"],
  run(s, args) {
    const [what, nWord] = args;
    const n = what && /^\d+$/.test(what.text) ? what : nWord;
    if (what?.text !== "break" && n !== what) throw new CommandError(`expected "delete break N"`, what?.col);
    const i = n && /^\d+$/.test(n.text) ? Number(n.text) - 1 : -1;
    if (!s.breaks[i]) throw new CommandError(`no breakpoint ${n?.text ?? ""}`, n?.col, s.breaks.length ? `breakpoints are 1 to ${s.breaks.length}` : "there are none");
    const [b] = s.breaks.splice(i, 1);
    return { text: `deleted breakpoint ${i + 1}: ${describeBreak(b!)}` };
  },
};
