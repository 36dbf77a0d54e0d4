/**
 * The interactive ktrace REPL (ink): scrollback of command output, a status area that always
 * says where the packet is (hook ▸ table ▸ chain ▸ rule) with its headers and the current chain
 * around the rule under the cursor, and a prompt with history and Tab completion.
 *
 * Why: a thin front end — every line typed is `runLine` on the shared session; this file only
 * draws and handles keys.
 */
import { useEffect, useReducer, useRef, useState } from "react";
import { Box, Static, Text, useApp, useInput, useStdout } from "ink";
import TextInput from "ink-text-input";
import { writeFileSync } from "node:fs";
import type { Session } from "../lang/session.js";
import { completeLine, interrupted, runLineSteps, type RunResult } from "../lang/commands/index.js";
import { progressLine } from "../lang/progress-line.js";
import { whereLine } from "../lang/commands/stepping.js";
import { ansiText } from "../lang/ansi.js";
import { applyControlKeys, completionRows, initialLine, isLetterInserted, lineReducer } from "./line-state.js";
import { appendHistory } from "./history-file.js";
import { colorEnabled } from "./theme.js";
import { cutLongOutput } from "../lang/long-output.js";
import { lessonOpen } from "../teach/lesson-mode.js";
import { hangingWrap } from "./hanging-wrap.js";
import { sendExample } from "../lang/send-example.js";

interface Block {
  id: number;
  /** "ansi": already coloured by a renderer of the command's typed result (drawn as it is) */
  kind: "echo" | "out" | "error" | "banner" | "ansi";
  text: string;
}

const PROMPT = "ktrace› ";

function Lines({ text, kind, columns }: { text: string; kind: Block["kind"]; columns: number }) {
  const color = colorEnabled();
  const lines = text.split("\n");
  // the banner's title is bold: its first line is a Text of its own
  const title = kind === "banner" ? lines.shift() : undefined;
  const st: { color?: string; dim?: boolean } = kind === "error" ? { color: "red" } : kind === "echo" ? { dim: true } : {};
  // every line in rows of the terminal's width, a long one's continuation hanging under its text;
  // one Text for the whole block (ink lays out each Text node: thousands of them took seconds)
  const rows = lines.flatMap((l) => hangingWrap(l, columns));
  return (
    <Box flexDirection="column">
      {title !== undefined ? <Text bold={color}>{hangingWrap(title, columns).join("\n") || " "}</Text> : null}
      {rows.length ? (
        <Text color={color ? st.color : undefined} dimColor={color && st.dim} wrap="wrap">
          {rows.map((r) => (r === "" ? " " : r)).join("\n")}
        </Text>
      ) : null}
    </Box>
  );
}

/** The chain around the cursor's rule, the rule itself highlighted. */
function ChainView({ session }: { session: Session }) {
  const st = session.stepper;
  if (!st || st.pos < 0 || st.done) return null;
  const p = st.position();
  if (!p.table || !p.chain || !p.ruleIndex) return null;
  const chain = session.engine.ruleset.tables.get(p.table)?.chains.get(p.chain);
  if (!chain) return null;
  const i = p.ruleIndex - 1;
  const from = Math.max(0, i - 2);
  const rows = chain.rules.slice(from, i + 3);
  const color = colorEnabled();
  const matched = p.event?.kind === "rule";
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={color ? "gray" : undefined} paddingX={1}>
      <Text bold>
        {p.table} {p.chain} ({chain.rules.length} rule{chain.rules.length === 1 ? "" : "s"})
      </Text>
      {rows.map((r, k) => {
        const n = from + k + 1;
        const cur = n === p.ruleIndex;
        return (
          <Text key={n} inverse={cur} color={color && cur ? (matched ? "green" : "yellow") : undefined} dimColor={!cur && color} wrap="truncate-end">
            {`${cur ? "▶" : " "} ${String(n).padStart(3)}  ${r.text}`}
          </Text>
        );
      })}
    </Box>
  );
}

function StatusBar({ session }: { session: Session }) {
  const color = colorEnabled();
  const q = session.question;
  // a pending question is what to do next (an exercise's packet would give its answer away)
  const idle = q ? `${q.source}: ${q.prompt} — type: answer YOUR ANSWER` : `no packet yet — type help, or try: ${sendExample(session)}`;
  const text = session.stepper ? whereLine(session) : idle;
  return (
    <Text color={color ? "cyan" : undefined} wrap="truncate-end">
      {session.stepper ? `@ ${text}` : text}
    </Text>
  );
}

export interface AppProps {
  session: Session;
  history: string[];
  persistHistory?: boolean;
}

export function App({ session, history, persistHistory = true }: AppProps) {
  const { exit } = useApp();
  const { stdout, write } = useStdout();
  const [line, dispatch] = useReducer(lineReducer, history, initialLine);
  const [blocks, setBlocks] = useState<Block[]>(() => [
    { id: 0, kind: "banner", text: `ktrace — ${session.source.title}\ntype help for commands, Tab completes, ↑/↓ history, Ctrl-C cancels the line, Ctrl-D quits\nnew to netfilter? type lessons — guided walks through the article, one hop at a time${session.source.hint ? `\ntry: ${session.source.hint}` : ""}` },
  ]);
  const [busy, setBusy] = useState<string | undefined>();
  const [, setTick] = useState(0);
  const nextId = useRef(1);
  // a Ctrl key the text input is about to insert as a letter (ink calls the input's key listener
  // and ours in either order: each re-subscribes when it re-renders)
  const swallow = useRef<{ base: string; letter: string } | undefined>(undefined);
  // the line as typed so far, updated synchronously: keys typed in one burst ("quit⏎") reach
  // onSubmit before React re-renders, so its argument can be stale
  const typed = useRef("");
  useEffect(() => {
    typed.current = line.value;
  }, [line.value, line.revision]);
  useEffect(() => {
    // benchmarks read how long the process took to show its first prompt
    const mark = process.env.KTRACE_STARTUP_MARK;
    if (mark) writeFileSync(mark, `${performance.now()}\n${process.env.KTRACE_STARTUP_DETAIL ?? ""}`);
  }, []);

  const push = (...bs: Omit<Block, "id">[]) => setBlocks((old) => [...old, ...bs.map((b) => ({ ...b, id: nextId.current++ }))]);

  /** The command running in slices (stats, load), and lines typed or pasted meanwhile. */
  const job = useRef<{ cancel: boolean } | undefined>(undefined);
  const queued = useRef<string[]>([]);

  const show = (r: RunResult) => {
    const out: Omit<Block, "id">[] = [];
    if (r.error) out.push({ kind: "error", text: `error: ${r.error}${r.hint ? `\n  hint: ${r.hint}` : ""}` });
    else if (r.text) {
      // output too long to draw is cut, and drawn plain (its colours are for reading a walk)
      const cut = cutLongOutput(r.text);
      const coloured = cut === r.text && colorEnabled() ? ansiText(r) : undefined;
      out.push(coloured ? { kind: "ansi", text: coloured } : { kind: "out", text: cut });
    }
    if (r.note) out.push({ kind: "echo", text: r.note });
    push(...out);
    setBusy(undefined);
    setTick((t) => t + 1);
    if (r.quit) exit();
  };

  /**
   * Runs a line. Long work comes in slices of ~40 ms, with the event loop free in between: the
   * prompt keeps echoing keys, a progress bar appears after 0.3 s, Ctrl-C drops the work.
   */
  const execute = (text: string) => {
    const steps = runLineSteps(session, text);
    const started = performance.now();
    const me = { cancel: false };
    job.current = me;
    const slice = () => {
      const until = performance.now() + 40;
      let r = steps.next();
      while (!r.done && !me.cancel && performance.now() < until) r = steps.next();
      if (!r.done && !me.cancel) {
        if (performance.now() - started > 300) setBusy(progressLine(text, r.value));
        setTimeout(slice, 0);
        return;
      }
      job.current = undefined;
      show(r.done ? r.value : interrupted(steps, r.value));
      const next = queued.current.shift();
      if (next !== undefined) execute(next);
    };
    slice();
  };

  const submit = (given: string) => {
    const value = typed.current || given;
    typed.current = "";
    dispatch({ type: "submitted" });
    const text = value.trim();
    push({ kind: "echo", text: `${PROMPT}${value}` });
    if (!text) return;
    if (persistHistory) appendHistory(text);
    // a line typed while long work runs waits its turn
    if (job.current) queued.current.push(text);
    else execute(text);
  };

  useInput((input, key) => {
    if ((key.pageDown || key.pageUp) && lessonOpen(session) && !job.current) {
      // page keys turn a lesson's pages; `next` stays the stepping command
      const cmd = key.pageDown ? "lesson next" : "lesson prev";
      push({ kind: "echo", text: `${PROMPT}${cmd}` });
      execute(cmd);
      return;
    }
    if (key.ctrl && input === "d") {
      if (line.value === "") exit();
      else keepLetterOut(input, line.value);
      return;
    }
    if (key.ctrl && input === "c") {
      // long work running: Ctrl-C stops it (and forgets lines typed meanwhile)
      if (job.current) {
        job.current.cancel = true;
        queued.current = [];
      } else if (line.value) dispatch({ type: "cancel" });
      else push({ kind: "out", text: "(Ctrl-D or quit to leave)" });
      return;
    }
    if (key.ctrl && input.length === 1 && /[a-z]/.test(input)) {
      // readline-style keys: Ctrl-U clears the line, Ctrl-W deletes a word; others do nothing
      // (the text input would otherwise insert the letter)
      if (input === "u") {
        keepLetterOut(input, "");
        dispatch({ type: "cancel" });
      } else keepLetterOut(input, input === "w" ? line.value.replace(/\S+\s*$/, "") : line.value);
      // Ctrl-L clears the screen, as in a shell; ink draws the prompt again at the top
      // (after this key's own handling, so the line and its dropped letter are settled first)
      if (input === "l") setImmediate(() => write("\x1b[2J\x1b[3J\x1b[H"));
      return;
    }
    if (key.upArrow) dispatch({ type: "up" });
    else if (key.downArrow) dispatch({ type: "down" });
    else if (key.tab) dispatch({ type: "complete", candidates: completeLine(session, line.value) });
  });

  /**
   * A Ctrl key was handled here: the line becomes `value`, and the letter the text input inserts
   * for it is dropped — whether the input already delivered it in this event (the line is set
   * back) or is about to (the change is recognised as that one letter, inserted into the line as
   * it was, and ignored). Nothing else typed is dropped.
   */
  const keepLetterOut = (letter: string, value: string) => {
    // the input has not inserted it yet when the line is still as rendered
    if (typed.current === line.value) {
      swallow.current = { base: line.value, letter };
      setImmediate(() => (swallow.current = undefined));
    }
    typed.current = value;
    // set, not changed: the input re-mounts, so its cursor does not stay one past the letter it dropped
    dispatch({ type: "set", value });
  };

  const onChange = (typedValue: string) => {
    const s = swallow.current;
    swallow.current = undefined;
    if (s && isLetterInserted(typedValue, s.base, s.letter)) return;
    // Ctrl keys that came inside a burst of keys are done here; the input re-mounts on the result
    const v = applyControlKeys(typedValue);
    const change = v === typedValue ? ("change" as const) : ("set" as const);
    // ink hands over a whole chunk of input at once: a paste, or keys typed faster than a
    // render, arrives as "cmd\rcmd2\r"; run each complete line in order
    if (v.includes("\t")) {
      // a Tab that arrived glued to typed text: complete what is before it
      const text = v.replace(/\t/g, "");
      typed.current = text;
      dispatch({ type: change, value: text });
      dispatch({ type: "complete", candidates: completeLine(session, text) });
      return;
    }
    if (/[\r\n]/.test(v)) {
      const parts = v.split(/\r\n|\r|\n/);
      const rest = parts.pop() ?? "";
      for (const p of parts) {
        typed.current = p;
        dispatch({ type: "change", value: p });
        submit(p);
      }
      typed.current = rest;
      dispatch({ type: change, value: rest });
      return;
    }
    typed.current = v;
    dispatch({ type: change, value: v });
  };

  return (
    <Box flexDirection="column">
      <Static items={blocks}>{(b) => <Lines key={b.id} text={b.text} kind={b.kind} columns={stdout.columns || 80} />}</Static>
      {busy ? <Text color={colorEnabled() ? "yellow" : undefined}>⏳ {busy}</Text> : null}
      <ChainView session={session} />
      <StatusBar session={session} />
      <Box>
        <Text color={colorEnabled() ? "cyan" : undefined} bold>
          {PROMPT}
        </Text>
        <TextInput key={line.revision} value={line.value} onChange={onChange} onSubmit={submit} />
      </Box>
      {line.completions.length > 1 ? (
        <Box flexDirection="column">
          {completionRows(line.completions, (stdout.columns || 80) - 1).map((row, i) => (
            <Text key={i} dimColor wrap="truncate">
              {row}
            </Text>
          ))}
        </Box>
      ) : null}
    </Box>
  );
}
