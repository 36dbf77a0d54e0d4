// The REPL draws the hook diagram in colour from the diagram's scene (the same scene the SVG is
// drawn from), and a walk's lines by what each line is (from its events), never by its text.
import { describe, expect, it } from "vitest";
import { articleSession, rulesSession, run } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import { ansiText } from "../../src/lang/ansi.js";

const GREEN = "\x1b[32m";
const FAINT = "\x1b[2m";
const NAT = "\x1b[1;34m";
const FATE_OK = "\x1b[1;32m";
const FATE_BAD = "\x1b[1;31m";
/** The ANSI line whose plain text contains `needle`. */
const lineWith = (ansi: string, needle: string) => ansi.split("\n").find((l) => stripAnsi(l).includes(needle)) ?? "";

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

describe("ANSI output from typed results", () => {
  it("diagram: the coloured picture is the plain one plus colour", () => {
    const s = articleSession();
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    const r = runLine(s, "diagram");
    const ansi = ansiText(r);
    expect(ansi).toMatch(/\x1b\[\d+m/);
    expect(stripAnsi(ansi!).split("\n").map((l) => l.trimEnd())).toEqual(r.text.split("\n").map((l) => l.trimEnd()));
  });

  it("outputs that are not the picture itself stay as they are", () => {
    const s = articleSession();
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    expect(ansiText(runLine(s, "show path"))).toBeUndefined();
    expect(ansiText(runLine(s, "diagram -o /dev/null"))).toBeUndefined();
    expect(ansiText(runLine(s, "show state"))).toBeUndefined();
  });

  it("a walk: the coloured lines are the plain ones, painted by what each event is", () => {
    const s = articleSession();
    for (const line of ["send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "connect tcp 192.168.1.88:49060 -> 10.43.156.98:9898"]) {
      const r = runLine(s, line);
      const ansi = ansiText(r)!;
      expect(ansi).toBeDefined();
      expect(stripAnsi(ansi)).toBe(r.text);
    }
    const r = runLine(s, "send tcp 192.168.1.88:49062 -> 10.43.156.98:9898");
    const ansi = ansiText(r)!;
    expect(lineWith(ansi, "✓ JUMP:KUBE-SVC-")).toContain(GREEN);
    expect(lineWith(ansi, "✗ ")).toContain(FAINT);
    expect(lineWith(ansi, "DNAT (new binding)")).toContain(NAT);
    expect(lineWith(ansi, "FATE: ")).toContain(FATE_OK);
  });

  it("stepping: the cursor line and a breakpoint's line come with the walk", () => {
    const s = articleSession();
    s.stepByStep = true; // as the REPL runs
    run(s, "break chain KUBE-SVC-Y4T5L63IYP3YFEBS");
    for (const line of ["send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "step", "next", "continue", "back 2", "finish"]) {
      const r = runLine(s, line);
      expect(r.error).toBeUndefined();
      const ansi = ansiText(r);
      expect(ansi, line).toBeDefined();
      expect(stripAnsi(ansi!), line).toBe(r.text);
    }
  });

  it("a rule's own words cannot colour it: a matched rule whose comment says FATE: dropped ✗ is still a match", () => {
    const rules = [
      "*filter",
      ":OUTPUT ACCEPT [0:0]",
      '-A OUTPUT -p tcp -m comment --comment "FATE: dropped ✗ DNAT" -j ACCEPT',
      "COMMIT",
      "",
    ].join("\n");
    const s = rulesSession(rules);
    const ansi = ansiText(runLine(s, "send tcp 192.168.1.88:1000 -> 192.168.1.20:80"))!;
    const matched = lineWith(ansi, "FATE: dropped ✗ DNAT");
    expect(matched).toContain(GREEN);
    expect(matched).not.toContain(FAINT);
    expect(matched).not.toContain(NAT);
    expect(matched).not.toContain(FATE_BAD);
  });

  it("a dropped packet's fate is painted as a failure", () => {
    const rules = ["*filter", ":OUTPUT DROP [0:0]", "COMMIT", ""].join("\n");
    const s = rulesSession(rules);
    const ansi = ansiText(runLine(s, "send tcp 192.168.1.88:1000 -> 192.168.1.20:80"))!;
    expect(lineWith(ansi, "FATE: ")).toContain(FATE_BAD);
  });

  it("other formats and plain outputs are not coloured by guessing", () => {
    const s = articleSession();
    run(s, "format xtables-monitor");
    expect(ansiText(runLine(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898"))).toBeUndefined();
    expect(ansiText(runLine(s, "help"))).toBeUndefined();
  });
});
