// The hook diagram: one scene from the walk's events, drawn as SVG and as ASCII. The path must
// visit exactly the tables the walk went through, both pictures must agree, the SVG must be
// well-formed and self-contained, and `diagram -o` writes it.
import { describe, expect, it } from "vitest";
import { articleSession, run } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import type { Session } from "../../src/lang/session.js";
import type { TraceEvent } from "../../src/engine/trace/events.js";
import { buildScene, markNotes, pathTables, type Scene } from "../../src/format/rich/diagram-scene.js";
import { diagramSvg } from "../../src/format/rich/diagram-svg.js";
import { diagramAscii } from "../../src/format/rich/diagram-ascii.js";
import { sessionScene } from "../../src/lang/commands/diagram.js";

const SYN = "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898";
const FORWARDED = "send tcp 192.168.1.20:51000 -> 10.42.54.194:9898 in enp3s0";

/** A small XML check: tags balance, attributes are quoted, no stray < or & in text. */
function checkXml(xml: string): string[] {
  const stack: string[] = [];
  const errors: string[] = [];
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->/g;
  let last = 0;
  for (const m of xml.matchAll(re)) {
    const between = xml.slice(last, m.index);
    if (/[<>]/.test(between)) errors.push(`stray < or > near ${JSON.stringify(between.slice(0, 40))}`);
    if (/&(?!(amp|lt|gt|quot|#39|#\d+);)/.test(between)) errors.push(`raw & in ${JSON.stringify(between.slice(0, 40))}`);
    last = m.index! + m[0].length;
    if (m[0].startsWith("<!--")) continue;
    const [, close, name, attrs, self] = m;
    if (/&(?!(amp|lt|gt|quot|#39|#\d+);)/.test(attrs!)) errors.push(`raw & in attributes of <${name}>`);
    if (close) {
      const open = stack.pop();
      if (open !== name) errors.push(`</${name}> closes <${open}>`);
    } else if (!self) stack.push(name!);
  }
  if (/[<>]/.test(xml.slice(last))) errors.push("stray markup at the end");
  if (stack.length) errors.push(`unclosed: ${stack.join(" ")}`);
  return errors;
}

/** Hook and table of each table the walk's events went through, in order — worked out here, not by the scene. */
function walkTables(events: TraceEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const key = "table" in e && e.table && "hook" in e ? `${e.hook} ${e.table}` : e.kind === "nat" ? `${e.hook} nat` : undefined;
    if (key && out[out.length - 1] !== key) out.push(key);
  }
  return out;
}

function sceneAfter(s: Session, line: string): Scene {
  run(s, line);
  const r = runLine(s, "diagram");
  expect(r.error).toBeUndefined();
  const d = r.display?.[0];
  if (d?.kind !== "diagram") throw new Error("no diagram display");
  return d.scene;
}

/** The numbered steps of the SVG: step number → the box's data-box id. */
function svgSteps(svg: string): Map<number, string> {
  const steps = new Map<number, string>();
  for (const g of svg.matchAll(/<g class="ktrace-(?:table|box)" data-box="([^"]+)" data-visited="true"/g)) steps.set(steps.size, g[1]!);
  const out = new Map<number, string>();
  // each step circle's number sits at the point of its box; read them from the scene-independent text
  for (const m of svg.matchAll(/<g class="ktrace-step"><circle cx="([\d.]+)" cy="([\d.]+)"[^>]*\/><text[^>]*>([\d,]+)<\/text><\/g>/g))
    for (const n of m[3]!.split(",")) out.set(Number(n), `${m[1]},${m[2]}`);
  return out;
}

describe("the article's SYN on the diagram", () => {
  const s = articleSession();
  const scene = sceneAfter(s, SYN);
  const svg = diagramSvg(scene);

  it("the path goes through exactly the tables of the walk: OUTPUT raw → mangle → nat → filter → POSTROUTING mangle → nat", () => {
    expect(pathTables(scene)).toEqual(["OUTPUT raw", "OUTPUT mangle", "OUTPUT nat", "OUTPUT filter", "POSTROUTING mangle", "POSTROUTING nat"]);
    expect(pathTables(scene)).toEqual(walkTables(s.stepper!.events));
    expect(scene.path[0]).toBe("local");
    expect(scene.path[1]).toBe("route:out");
    expect(scene.path[scene.path.length - 1]).toBe("out");
  });

  it("marks the DNAT and the reroute on nat OUTPUT, MASQUERADE on nat POSTROUTING, the hidden raw rules, the fate", () => {
    const box = (id: string) => scene.boxes.find((b) => b.id === id)!;
    expect(box("OUTPUT/nat").marks.map((m) => m.kind)).toEqual(["DNAT", "reroute"]);
    expect(box("OUTPUT/nat").marks[0]!.detail).toBe("destination 10.43.156.98:9898 ⇒ 10.42.54.194:9898");
    expect(box("POSTROUTING/nat").marks.map((m) => m.kind)).toEqual(["MASQUERADE"]);
    expect(scene.boxes.filter((b) => b.hidden).map((b) => b.id)).toEqual(["OUTPUT/raw"]);
    expect(box("out").label).toBe("vxlan.calico");
    expect(scene.fate).toEqual({ text: "sent out vxlan.calico via 10.42.54.193", ok: true, at: "out" });
    expect(scene.boxes.filter((b) => b.kind === "table" && b.visits.length === 0 && b.hook === "OUTPUT").map((b) => b.table)).toEqual(["security"]);
  });

  it("the SVG is well-formed, self-contained, and draws the path as #ktrace-path over the visited boxes", () => {
    expect(checkXml(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" [^>]*viewBox="0 0 \d+ \d+"/);
    expect(svg).not.toMatch(/(href|src)="(?!#|url)/);
    expect(svg).not.toMatch(/<script|@import|url\((?!#)/);
    const path = svg.match(/<polyline id="ktrace-path" class="ktrace-path" points="([^"]+)"/);
    expect(path).not.toBeNull();
    expect(path![1]!.split(" ").length).toBeGreaterThanOrEqual(scene.path.length);
    const visited = [...svg.matchAll(/<g class="ktrace-table" data-box="([^"]+)" data-visited="true"/g)].map((m) => m[1]!.replace("/", " "));
    expect(visited.sort()).toEqual([...pathTables(scene)].sort());
    const hidden = [...svg.matchAll(/data-box="([^"]+)" data-visited="true" data-hidden="true"/g)].map((m) => m[1]);
    // the numbered boxes, step by step, are the scene's path
    const numbered = new Map<number, string>();
    for (const m of svg.matchAll(/data-box="([^"]+)"[^>]* data-steps="([\d,]+)"/g)) for (const n of m[2]!.split(",")) numbered.set(Number(n), m[1]!);
    expect([...numbered].sort((a, b) => a[0] - b[0]).map(([, id]) => id)).toEqual(scene.path);
    expect(hidden).toEqual(["OUTPUT/raw"]);
    expect(svg).toContain("✓ FATE: sent out vxlan.calico via 10.42.54.193");
    // every step is numbered once, on the path
    const steps = svgSteps(svg);
    expect([...steps.keys()].sort((a, b) => a - b)).toEqual(scene.path.map((_, i) => i + 1));
    const points = new Set(path![1]!.split(" "));
    for (const at of steps.values()) expect(points.has(at), `step circle at ${at} lies on the path`).toBe(true);
  });

  it("the ASCII picture shows the same steps in the same order, in 80 columns, without colour codes", () => {
    const ascii = diagramAscii(scene);
    const lines = ascii.split("\n");
    for (const l of lines.slice(1).filter((x) => !/^[✓✗] FATE: /.test(x))) expect([...l].length, l).toBeLessThanOrEqual(80);
    expect(ascii).not.toContain("\x1b[");
    // "N name" for each step: the numbers in reading order of the picture, sorted by step
    const picture = lines.slice(1, -3).join("\n");
    const steps = [...picture.matchAll(/(?<![\d.,])(\d+) (?:out: |in: )?(raw|mangle|nat|filter|security|routing|local process|vxlan\.calico)\b/g)].map((m) => [Number(m[1]), m[2]] as const);
    steps.sort((a, b) => a[0] - b[0]);
    // the SVG's numbered boxes, read from the SVG
    const svgOrder = new Map<number, string>();
    for (const m of svg.matchAll(/data-box="([^"]+)"[^>]* data-steps="([\d,]+)"/g)) for (const n of m[2]!.split(",")) svgOrder.set(Number(n), m[1]!);
    const fromScene = [...svgOrder].sort((a, b) => a[0] - b[0]).map(([, id]) => scene.boxes.find((b) => b.id === id)!.label);
    expect(steps.map(([n]) => n)).toEqual(fromScene.map((_, i) => i + 1));
    expect(steps.map(([, l]) => l)).toEqual(fromScene);
    expect(ascii).toContain("↳ DNAT");
    expect(ascii).toContain("↳ reroute");
    expect(ascii).toContain("↳ MASQUERADE");
    // what happened in a box keeps a space from its right edge
    for (const m of ascii.matchAll(/↳ [\w-]+(.)/g)) expect(m[1], m[0]).toBe(" ");
    expect(ascii).toMatch(/ 3 raw +░/);
    expect(lines).toContain("✓ FATE: sent out vxlan.calico via 10.42.54.193");
    expect(diagramAscii(scene, { color: true })).toContain("\x1b[");
  });

  it("both pictures list what happened on the way, in path order, the same words", () => {
    const notes = markNotes(scene);
    expect(notes[0]).toBe("5 OUTPUT nat — DNAT destination 10.43.156.98:9898 ⇒ 10.42.54.194:9898");
    expect(notes[1]).toBe("5 OUTPUT nat — reroute: looked up again, now out vxlan.calico via 10.42.54.193");
    expect(notes[2]).toMatch(/^8 POSTROUTING nat — MASQUERADE source 192\.168\.1\.88:49058 ⇒ 10\.42\.135\.130:\d+$/);
    expect(notes).toHaveLength(3);
    const ascii = diagramAscii(scene).split("\n");
    const fromSvg = [...svg.matchAll(/<text class="ktrace-note"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(fromSvg).toEqual(notes);
    // the ASCII wraps a long note at 80 columns: joined again, they are the same words
    const joined = ascii.join("\n").replace(/\n {6}/g, " ");
    for (const n of notes) expect(joined).toContain(`\n  ${n}\n`);
  });
});

describe("other packets", () => {
  it("a forwarded packet: PREROUTING → FORWARD → POSTROUTING, never INPUT or OUTPUT", () => {
    const s = articleSession();
    const scene = sceneAfter(s, FORWARDED);
    const hooks = [...new Set(pathTables(scene).map((t) => t.split(" ")[0]))];
    expect(hooks).toEqual(["PREROUTING", "FORWARD", "POSTROUTING"]);
    expect(pathTables(scene)).toEqual(walkTables(s.stepper!.events));
    expect(scene.path.slice(0, 2)).toEqual(["in", "PREROUTING/raw"]);
    expect(scene.path).toContain("route:in");
    expect(scene.edges.filter((e) => e.onPath).map((e) => `${e.from}>${e.to}`)).toEqual(["in>hook:PREROUTING", "hook:PREROUTING>route:in", "route:in>hook:FORWARD", "hook:FORWARD>hook:POSTROUTING", "hook:POSTROUTING>out"]);
    expect(checkXml(diagramSvg(scene))).toEqual([]);
  });

  it("the reply comes back in, is un-NATed from conntrack, and is delivered to the local process", () => {
    const s = articleSession();
    run(s, SYN);
    const scene = sceneAfter(s, "reply");
    const marks = scene.boxes.flatMap((b) => b.marks.map((m) => `${b.id} ${m.kind}`));
    expect(marks).toEqual(["PREROUTING/nat un-SNAT", "INPUT/nat un-DNAT"]);
    expect(scene.path[scene.path.length - 1]).toBe("local");
    expect(scene.fate?.ok).toBe(true);
  });

  it("a dropped packet ends on the table that dropped it", () => {
    const s = articleSession();
    run(s, "iptables -A OUTPUT -p tcp --dport 9898 -j DROP");
    const scene = sceneAfter(s, SYN);
    expect(scene.fate).toMatchObject({ ok: false, at: "OUTPUT/filter" });
    expect(scene.boxes.find((b) => b.id === "OUTPUT/filter")!.marks.map((m) => m.kind)).toEqual(["DROP"]);
    expect(scene.path).not.toContain("out");
    expect(diagramAscii(scene)).toContain("\n✗ FATE: dropped by filter OUTPUT");
  });

  it("while stepping, the path so far with the cursor on its last box; `full` shows the whole walk", () => {
    const s = articleSession();
    s.stepByStep = true;
    run(s, SYN, "next", "next");
    const partial = sessionScene(s);
    const full = sessionScene(s, true);
    expect(partial.done).toBe(false);
    expect(partial.fate).toBeUndefined();
    expect(partial.path.length).toBeLessThan(full.path.length);
    expect(full.path.slice(0, partial.path.length)).toEqual(partial.path);
    const current = partial.boxes.filter((b) => b.current).map((b) => b.id);
    expect(current).toEqual([partial.path[partial.path.length - 1]]);
    expect(current[0]).toBe(`${s.stepper!.position().hook}/${s.stepper!.position().table}`);
    expect(diagramAscii(partial)).toContain("▶");
  });

  it("with no packet: the bare hooks, nothing visited", () => {
    const r = runLine(articleSession(), "diagram");
    const d = r.display?.[0];
    if (d?.kind !== "diagram") throw new Error("no diagram");
    expect(d.scene.path).toEqual([]);
    expect(d.scene.boxes.every((b) => b.visits.length === 0)).toBe(true);
    const svg = diagramSvg(d.scene);
    expect(checkXml(svg)).toEqual([]);
    expect(svg).not.toContain('class="ktrace-path"');
    for (const h of ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]) expect(r.text).toContain(` ${h} `);
    // the legend has no path to explain
    expect(r.text).not.toContain("the packet's path");
    expect(r.text).toContain("send a packet and its path is drawn on it");
  });
});

describe("the diagram command", () => {
  it("diagram -o FILE.svg writes the SVG through the session's io", () => {
    const s = articleSession();
    const written: [string, string][] = [];
    s.io = { ...s.io, writeFile: (p, t) => void written.push([p, t]) };
    run(s, SYN);
    const r = runLine(s, "diagram -o curl.svg");
    expect(r.error).toBeUndefined();
    expect(written.map(([p]) => p)).toEqual(["curl.svg"]);
    expect(written[0]![1]).toBe(diagramSvg(buildScene(s.stepper!.sent.input, s.stepper!.events, { tracing: true, present: (h, t) => s.engine.ruleset.tables.get(t)?.chains.has(h) ?? false })) + "\n");
    expect(r.text).toBe(`wrote curl.svg (SVG, ${sessionScene(s).path.length} steps)`);
  });

  it("refuses what it does not know, pointing at the word", () => {
    const s = articleSession();
    expect(runLine(s, "diagram -o").failure).toEqual({ message: "-o needs a file name", col: 9, hint: "diagram -o curl.svg" });
    expect(runLine(s, "diagram sideways").failure).toMatchObject({ message: 'unexpected "sideways"', col: 9 });
    s.io = { ...s.io, writeFile: () => { throw Object.assign(new Error("denied"), { code: "EACCES" }); } };
    expect(runLine(s, "diagram -o /x.svg").error).toBe("column 12: cannot write /x.svg: EACCES");
  });
});
