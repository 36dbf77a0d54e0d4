/**
 * Lesson text for a terminal: Markdown rendered with marked + marked-terminal (headings, code,
 * tables, lists), in colour on a terminal that has it and as plain text with NO_COLOR, when the
 * output is not a TTY, or for notebooks.
 *
 * Why: a learner reads the lesson where they type — in the REPL, with nothing else open. Command
 * blocks are shown as what to type, expect blocks are left out (they are the test's business,
 * the learner sees the real output when they type the command), and a checkpoint is shown as
 * its question.
 */
import { applySgr, sgrOpen } from "./sgr.js";
import { Marked } from "marked";
import { createRequire } from "node:module";

// marked-terminal pulls in cli-highlight and all of highlight.js (about 0.35 s to load): it is
// loaded the first time a lesson is shown, not at every start of ktrace-repl
const loadLazily = createRequire(import.meta.url);
type MarkedTerminal = typeof import("marked-terminal").markedTerminal;
let markedTerminalFn: MarkedTerminal | undefined;
const markedTerminal: MarkedTerminal = (...args) => {
  markedTerminalFn ??= (loadLazily("marked-terminal") as typeof import("marked-terminal")).markedTerminal;
  return markedTerminalFn(...args);
};
import type { Checkpoint, LessonSection, LessonStep } from "../lessons/parse.js";

export interface RenderStyle {
  color: boolean;
  /** Columns to fill paragraphs to. */
  width: number;
}

/** Colour only on a TTY without NO_COLOR (https://no-color.org) and not TERM=dumb. */
export function terminalStyle(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): RenderStyle {
  const color = !!stream.isTTY && !("NO_COLOR" in env) && env.TERM !== "dumb";
  const width = Math.max(40, Math.min(100, (stream.columns ?? 80) - 2));
  return { color, width };
}

export const PLAIN: RenderStyle = { color: false, width: 80 };

const identity = (s: string) => s;
const PLAIN_STYLES = Object.fromEntries(
  ["code", "blockquote", "html", "heading", "firstHeading", "hr", "listitem", "table", "paragraph", "strong", "em", "codespan", "del", "link", "href", "text"].map((k) => [k, identity]),
);

const renderers = new Map<string, Marked>();
function markedFor(style: RenderStyle): Marked {
  const key = `${style.color}:${style.width}`;
  let m = renderers.get(key);
  if (!m) {
    // emoji off: `:name:` would turn "cali:njdnLwYeGqBJyMxW:" into a picture
    m = new Marked(markedTerminal({ ...(style.color ? {} : PLAIN_STYLES), emoji: false, reflowText: true, width: style.width, showSectionPrefix: false, tab: 2 }));
    renderers.set(key, m);
  }
  return m;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
export const stripAnsi = (s: string) => s.replace(ANSI, "");

const BLOCK_START = /^\s*([-*+] |\d+\. |\||>|#|```)/;

/**
 * Joins the source lines of each paragraph and list item: lessons are wrapped at ~100 columns
 * in the file, and marked-terminal refills text well only when a paragraph is one line.
 */
export function unwrapParagraphs(md: string): string {
  const out: string[] = [];
  let inFence = false;
  let joinable = false;
  for (const line of md.split("\n")) {
    if (/^\s*```/.test(line)) {
      inFence = !inFence;
      out.push(line);
      joinable = false;
      continue;
    }
    if (inFence || !line.trim()) {
      out.push(line);
      joinable = false;
      continue;
    }
    if (joinable && !BLOCK_START.test(line)) out[out.length - 1] += " " + line.trim();
    else out.push(line);
    joinable = !/^\s*(#|\|)/.test(line);
  }
  return out.join("\n");
}

/**
 * marked-terminal's reflow may break a line between a code span and the punctuation after it
 * ("`td_maxend`, and" → "td_maxend" / ", and"): the punctuation goes back to the line before.
 */
// eslint-disable-next-line no-control-regex
const STRANDED_PUNCTUATION = /\n( *)((?:\x1b\[[0-9;]*m)*)([,.;:!?)]) /g;

export function renderMarkdown(md: string, style: RenderStyle): string {
  const text = (markedFor(style).parse(unwrapParagraphs(md), { async: false }) as string).replace(STRANDED_PUNCTUATION, "$3\n$1$2");
  const trimmed = text.replace(/\n+$/, "");
  return style.color ? balanceAnsiLines(trimmed) : stripAnsi(trimmed);
}

/**
 * Makes every line carry its own styles: a style marked-terminal opens on one line and closes
 * on the next is closed at the line's end and opened again on the next. The REPL draws each
 * line on its own, so a style left open would otherwise bleed into whatever comes after it.
 */
export function balanceAnsiLines(text: string): string {
  let open: number[] = [];
  return text
    .split("\n")
    .map((line) => {
      const prefix = sgrOpen(open);
      for (const m of line.matchAll(/\x1b\[([0-9;]*)m/g)) open = applySgr(open, m[1]!);
      return prefix + line + (open.length ? "\x1b[0m" : "");
    })
    .join("\n");
}

const paint = (style: RenderStyle, codes: string, s: string) => (style.color ? `\x1b[${codes}m${s}\x1b[0m` : s);

/** The commands of a ```ktrace block, as what to type at the prompt. */
export function renderCommands(commands: string[], style: RenderStyle): string {
  if (commands.length === 1) return `  type:  ${paint(style, "1;36", commands[0]!)}`;
  return ["  type, one line at a time:", ...commands.map((c) => `    ${paint(style, "1;36", c)}`)].join("\n");
}

export function renderCheckpoint(cp: Checkpoint, style: RenderStyle, passed: boolean): string {
  const head = paint(style, "1;35", "? Checkpoint:");
  const lines = [`${head} ${cp.question}`];
  if (passed) lines.push("  (answered right already — answer again if you like)");
  else lines.push(`  answer with: answer YOUR ANSWER${cp.hint ? "   ·   hint gives a hint" : ""}`);
  return lines.join("\n");
}

/** The command whose output an expect block is about: the last that prints a walk or a table. */
function outputCommand(step: LessonStep): string | undefined {
  return step.commands.filter((c) => /^(send|reply|connect|stats|replay|trace|show|iptables|route)\b/.test(c)).pop() ?? step.commands[step.commands.length - 1];
}

/**
 * The prose of part i. Expect blocks are the lesson test's and are not shown (they would give
 * checkpoints away), so a paragraph that leads into one with a colon points at the output instead
 * of ending on nothing.
 */
function proseOf(section: LessonSection, i: number): string {
  const part = section.parts[i]!;
  const next = section.parts[i + 1];
  if (part.kind !== "prose") return "";
  const cmd = next?.kind === "expect" ? outputCommand(next.of) : undefined;
  const verb = cmd?.split(" ")[0];
  return verb ? part.markdown.replace(/:\s*$/, ` (see the output of \`${verb === cmd ? verb : `${verb} …`}\`).`) : part.markdown;
}

/** A section as the learner sees it: heading, prose, what to type, the checkpoint question. */
export function renderSection(section: LessonSection, style: RenderStyle, opts: { of: number; passed: boolean }): string {
  const heading = paint(style, "1;32", `── ${section.index}. ${section.title} `) + paint(style, "2", `(section ${section.index} of ${opts.of})`);
  const blocks: string[] = [heading];
  const typed = section.parts.some((p) => p.kind === "commands");
  const about = section.parts.find((p) => p.kind === "expect");
  if (!typed && about?.kind === "expect") {
    // a section that reads on in output already printed: say which
    const cmd = outputCommand(about.of);
    if (cmd) blocks.push(`  ${paint(style, "2", "(nothing to type here: this section reads the output of")} ${paint(style, "36", cmd)}${paint(style, "2", " above)")}`);
  }
  for (const [i, part] of section.parts.entries()) {
    if (part.kind === "prose") blocks.push(renderMarkdown(proseOf(section, i), style));
    else if (part.kind === "commands") blocks.push(renderCommands(part.step.commands, style));
    else if (part.kind === "checkpoint") blocks.push(renderCheckpoint(part.checkpoint, style, opts.passed));
    // expect blocks are for the lesson test: the learner sees the real output
  }
  return blocks.filter((b) => b.trim()).join("\n\n");
}

/** The lesson's title and intro, shown when it opens. */
export function renderLessonHead(title: string, intro: string, style: RenderStyle): string {
  const head = paint(style, "1;4;35", title);
  return intro ? `${head}\n\n${renderMarkdown(intro, style)}` : head;
}

/**
 * A section as Markdown, for front ends that render Markdown themselves (a notebook): the same
 * heading, prose, commands and checkpoint as `renderSection`, the expect blocks left out.
 */
export function sectionMarkdown(section: LessonSection, opts: { of: number; passed: boolean }): string {
  const blocks: string[] = [`### ${section.index}. ${section.title} *(section ${section.index} of ${opts.of})*`];
  for (const [i, part] of section.parts.entries()) {
    if (part.kind === "prose") blocks.push(proseOf(section, i).trim());
    else if (part.kind === "commands") blocks.push(`Type${part.step.commands.length > 1 ? ", one line at a time" : ""}:\n\n\`\`\`\n${part.step.commands.join("\n")}\n\`\`\``);
    else if (part.kind === "checkpoint") blocks.push(`**? Checkpoint:** ${part.checkpoint.question}\n\n${opts.passed ? "*(answered right already — answer again if you like)*" : `answer with \`answer YOUR ANSWER\`${part.checkpoint.hint ? " · `hint` gives a hint" : ""}`}`);
  }
  return blocks.filter((b) => b.trim()).join("\n\n");
}

/** The lesson's title and intro as Markdown. */
export function lessonHeadMarkdown(title: string, intro: string): string {
  return intro.trim() ? `## ${title}\n\n${intro.trim()}` : `## ${title}`;
}
