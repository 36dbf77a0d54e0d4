// Every command that answers with more than a line returns its answer as data too: the routing
// policy rules, the ipsets, what is loaded, a replayed capture, a chain's meaning, the history,
// the lesson list and a lesson's section (as Markdown, for notebooks). The data says what the
// text says: each test reads a fact from one and finds it in the other.
import { describe, expect, it } from "vitest";
import { articleSession, run } from "../helpers/session.js";
import { Session } from "../../src/lang/session.js";
import { loadCanned } from "../../src/sources/load.js";
import { nodeIo } from "../../src/sources/io.js";
import { runLine } from "../../src/lang/commands/index.js";
import { mimeBundle } from "../../src/format/rich/mime.js";
import type { Display, TableDisplay } from "../../src/lang/command.js";

function table(ds: Display[] | undefined): TableDisplay {
  expect(ds?.length).toBe(1);
  const d = ds![0]!;
  if (d.kind !== "table") throw new Error(`expected a table, got ${d.kind}`);
  return d;
}

describe("typed results of the commands that look", () => {
  it("show rules: the policy rules as ip rule lists them, one row each", () => {
    const r = runLine(articleSession(), "show rules");
    const t = table(r.display);
    expect(t.rows.map((row) => row[0])).toEqual(["0", "32766", "32767"]);
    expect(t.rows.map((row) => row[3])).toEqual(["local", "main", "default"]);
    expect(r.text.split("\n")).toEqual(["0:\tfrom all lookup local", "32766:\tfrom all lookup main", "32767:\tfrom all lookup default"]);
  });

  it("show sets: one row per ipset with its type and member count", () => {
    const s = articleSession();
    const r = runLine(s, "show sets");
    const t = table(r.display);
    const sets = [...s.engine.node.ipsets.values()];
    expect(sets.length).toBeGreaterThan(0);
    expect(t.rows.map((row) => row[0])).toEqual(sets.map((x) => x.name));
    for (const [i, set] of sets.entries()) {
      expect(t.rows[i]![2]).toBe(String(set.members.length));
      expect(r.text).toContain(`create ${set.name} ${t.rows[i]![1]}`);
    }
  });

  it("show source and explain chain: what is loaded, what a chain is", () => {
    const s = articleSession();
    const src = table(runLine(s, "show source").display);
    expect(src.rows[0]).toEqual(["loaded", s.source.title]);
    const r = runLine(s, "explain chain KUBE-SVC-Y4T5L63IYP3YFEBS");
    const t = table(r.display);
    expect(t.rows[0]![1]).toBe(r.text.split("\n")[0]);
    expect(t.rows[0]![1]).toContain("podinfo/frontend-podinfo");
    expect(t.rows[1]![1]).toMatch(/^nat \(\d+ rules?\)/);
  });

  it("replay: each capture line beside what ktrace reads in it", () => {
    // the capture ships as a file: read it as the REPL does
    const r = runLine(new Session(loadCanned("article"), nodeIo, 1), "replay article");
    expect(r.error).toBeUndefined();
    const t = table(r.display);
    expect(t.columns).toEqual(["line", "xtables-monitor printed", "ktrace reads"]);
    const traced = t.rows.filter((row) => /^ ?TRACE:/.test(row[1]!));
    expect(traced.length).toBeGreaterThan(10);
    // every line of the table is a line of the text, with its number
    for (const row of t.rows) expect(r.text).toContain(`${row[0]!.padStart(4)}  ${row[1]}`);
    expect(traced.some((row) => /KUBE-SEP-/.test(row[2]!))).toBe(true);
  });

  it("history: the commands typed, numbered", () => {
    const s = articleSession();
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "show state");
    const r = runLine(s, "history");
    const t = table(r.display);
    expect(t.rows.slice(0, 2)).toEqual([["1", "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898"], ["2", "show state"]]);
  });
});

describe("lessons in a notebook", () => {
  it("lessons: a table of the lessons with their progress", () => {
    const r = runLine(articleSession(), "lessons");
    const t = table(r.display);
    expect(t.rows.length).toBeGreaterThanOrEqual(14);
    expect(t.rows[0]![1]).toBe("1");
    for (const row of t.rows) expect(r.text).toContain(row[2]!);
  });

  it("a section is Markdown for notebooks: the heading, the commands to type, the checkpoint; never the expected output", () => {
    const s = articleSession();
    const r = runLine(s, "lesson 1 1");
    expect(r.error).toBeUndefined();
    const md = r.display?.find((d) => d.kind === "markdown");
    if (md?.kind !== "markdown") throw new Error("no markdown display");
    expect(md.markdown).toMatch(/^## Lesson 1/);
    expect(md.markdown).toMatch(/### 1\. /);
    expect(md.markdown).not.toContain("```expect");
    const b = mimeBundle(r);
    expect(b["text/markdown"]).toBe(md.markdown);
    expect(b["text/html"]).toContain("<h3>");
    expect(b["text/plain"]).toBe(r.text);
    // the commands the text tells the learner to type are in the Markdown's code block
    const typed = [...r.text.matchAll(/type:\s+(.+)$/gm)].map((m) => m[1]!.trim());
    for (const c of typed) expect(md.markdown).toContain(c);
    // a later section with a checkpoint carries its question
    let n = runLine(s, "lesson next");
    for (let i = 0; i < 12 && !/Checkpoint/.test(n.text); i++) n = runLine(s, "lesson next");
    const md2 = n.display?.find((d) => d.kind === "markdown");
    if (md2?.kind !== "markdown") throw new Error("no markdown display");
    expect(md2.markdown).toContain("**? Checkpoint:**");
    runLine(s, "lesson quit");
  });
});
