/**
 * The hook diagram as a box-drawing picture for an 80-column terminal, drawn from the same
 * scene as the SVG: heavy borders and arrows where the packet went, its steps numbered, NAT and
 * reroute under the table where they happened, ░ where rules ran that the kernel trace hides.
 *
 * Why: `diagram` in the REPL and in scripts shows the picture the notebook shows. Colour is an
 * option (ANSI); without it — NO_COLOR, a pipe, a test — the picture reads the same, because
 * heavy lines and numbers carry the path, not colour.
 *
 *   in: IFACE                                               out: IFACE
 *     ▼                                                         ▲
 *   PREROUTING ━▶ routing ━▶ FORWARD ━▶ POSTROUTING
 *                   ▼                       ▲
 *                 INPUT     OUTPUT ━━━━━━━━━┛
 *                   ▼         ▲
 *                 local ━▶ routing
 */
import { markNotes, type Scene, type SceneBox } from "./diagram-scene.js";

const COL_X: Record<number, number> = { 1: 0, 2: 20, 3: 40, 4: 60 };
const BOX_W = 17;
const WIDTH = 80;

type Style = "" | "path" | "seen" | "faint" | "current" | "ok" | "bad";
const ANSI: Record<Exclude<Style, "">, string> = { path: "\x1b[1;31m", seen: "\x1b[34m", faint: "\x1b[2m", current: "\x1b[1;33m", ok: "\x1b[1;32m", bad: "\x1b[1;31m" };

class Canvas {
  chars: string[][] = [];
  styles: Style[][] = [];
  put(x: number, y: number, s: string, style: Style = "") {
    [...s].forEach((ch, i) => {
      if (x + i < 0 || x + i >= WIDTH) return;
      while (this.chars.length <= y) {
        this.chars.push(Array<string>(WIDTH).fill(" "));
        this.styles.push(Array<Style>(WIDTH).fill(""));
      }
      this.chars[y]![x + i] = ch;
      this.styles[y]![x + i] = style;
    });
  }
  text(color: boolean): string[] {
    return this.chars.map((row, y) => {
      if (!color) return row.join("").trimEnd();
      let out = "";
      let cur: Style = "";
      const end = row.join("").trimEnd().length;
      for (let x = 0; x < end; x++) {
        const st = this.styles[y]![x]!;
        if (st !== cur) {
          out += cur ? "\x1b[0m" : "";
          out += st ? ANSI[st] : "";
          cur = st;
        }
        out += row[x];
      }
      return out + (cur ? "\x1b[0m" : "");
    });
  }
}

function contentLines(scene: Scene, b: SceneBox): { text: string; style: Style }[] {
  if (b.kind !== "hook") {
    const n = b.visits.length ? String(b.visits[0]) : "";
    const padded = `${n.padStart(2)} ${b.label}${b.current ? " ▶" : ""}`;
    const text = padded.length > BOX_W - 2 ? `${n || " "} ${b.label}${b.current ? " ▶" : ""}` : padded;
    return [{ text, style: b.current ? "current" : b.visits.length ? "seen" : "" }];
  }
  const lines: { text: string; style: Style }[] = [];
  for (const t of scene.boxes.filter((x) => x.kind === "table" && x.hook === b.hook)) {
    const n = t.visits.length ? String(t.visits[0]).padStart(2) : "  ";
    const name = t.present ? t.label : `(${t.label})`;
    const flags = `${t.hidden ? "░" : ""}${t.current ? "▶" : ""}`;
    lines.push({ text: `${n} ${name.padEnd(10)}${flags}`, style: t.current ? "current" : !t.present ? "faint" : t.visits.length ? "seen" : "" });
    // two spaces in, not three: "MASQUERADE" would touch the box's right edge
    for (const m of t.marks) lines.push({ text: `  ↳ ${m.kind}`, style: m.kind === "DROP" || m.kind === "REJECT" ? "bad" : "path" });
  }
  return lines;
}

interface Placed {
  box: SceneBox;
  x: number;
  y: number;
  h: number;
}

/** Breaks a line at spaces to fit the terminal, continuing with `indent`. */
function wrap(line: string, indent: string): string[] {
  const out: string[] = [];
  let rest = line;
  while ([...rest].length > WIDTH) {
    const cut = rest.lastIndexOf(" ", WIDTH);
    if (cut <= indent.length) break;
    out.push(rest.slice(0, cut));
    rest = indent + rest.slice(cut + 1);
  }
  return [...out, rest];
}

export interface AsciiOptions {
  /** ANSI colours (off for NO_COLOR, pipes and tests). */
  color?: boolean;
}

export function diagramAscii(scene: Scene, opts: AsciiOptions = {}): string {
  const c = new Canvas();
  const groups = scene.boxes.filter((b) => b.kind !== "table" && b.kind !== "iface");
  const heights = new Map(groups.map((b) => [b.id, contentLines(scene, b).length + 2]));
  // row tops: a 3-line band for the interfaces, then the rows with 2 lines between them
  const rowH = [0, 1, 2].map((r) => Math.max(...groups.filter((b) => b.row === r).map((b) => heights.get(b.id)!)));
  const top = [3, 3 + rowH[0]! + 2, 3 + rowH[0]! + 2 + rowH[1]! + 2];
  const placed = new Map<string, Placed>();
  for (const b of groups) placed.set(b.id, { box: b, x: COL_X[b.col]!, y: top[b.row]!, h: heights.get(b.id)! });
  const onPath = (from: string, to: string) => scene.edges.some((e) => e.from === from && e.to === to && e.onPath);
  const line = (path: boolean) => ({ h: path ? "━" : "─", v: path ? "┃" : "│", style: (path ? "path" : "") as Style });

  // boxes
  for (const p of placed.values()) {
    const seen = p.box.visits.length > 0;
    const [tl, tr, bl, br, hz, vt] = seen ? ["┏", "┓", "┗", "┛", "━", "┃"] : ["┌", "┐", "└", "┘", "─", "│"];
    const st: Style = p.box.current ? "current" : seen ? "seen" : "";
    const title = p.box.kind === "hook" ? ` ${p.box.label} ` : "";
    const fill = BOX_W - 2 - title.length;
    c.put(p.x, p.y, tl + hz.repeat(Math.floor(fill / 2)) + title + hz.repeat(Math.ceil(fill / 2)) + tr, st);
    contentLines(scene, p.box).forEach((l, i) => {
      c.put(p.x, p.y + 1 + i, vt, st);
      c.put(p.x + 1, p.y + 1 + i, l.text.slice(0, BOX_W - 2).padEnd(BOX_W - 2), l.style);
      c.put(p.x + BOX_W - 1, p.y + 1 + i, vt, st);
    });
    for (let i = contentLines(scene, p.box).length; i < p.h - 2; i++) {
      c.put(p.x, p.y + 1 + i, vt, st);
      c.put(p.x + BOX_W - 1, p.y + 1 + i, vt, st);
    }
    c.put(p.x, p.y + p.h - 1, bl + hz.repeat(BOX_W - 2) + br, st);
  }
  const at = (id: string) => placed.get(id)!;
  const mid = (p: Placed) => p.x + Math.floor(BOX_W / 2);
  // horizontal arrows between neighbours in a row
  const across = (from: string, to: string) => {
    const a = at(from);
    const l = line(onPath(from, to));
    c.put(a.x + BOX_W, a.y + 1, l.h + l.h + "▶", l.style);
  };
  across("hook:PREROUTING", "route:in");
  across("route:in", "hook:FORWARD");
  across("hook:FORWARD", "hook:POSTROUTING");
  across("local", "route:out");
  // vertical arrows
  const down = (from: string, to: string) => {
    const a = at(from);
    const b = at(to);
    const l = line(onPath(from, to));
    for (let y = a.y + a.h; y < b.y - 1; y++) c.put(mid(a), y, l.v, l.style);
    c.put(mid(a), b.y - 1, "▼", l.style);
  };
  const up = (from: string, to: string) => {
    const a = at(from);
    const b = at(to);
    const l = line(onPath(from, to));
    c.put(mid(a), b.y + b.h, "▲", l.style);
    for (let y = b.y + b.h + 1; y < a.y; y++) c.put(mid(a), y, l.v, l.style);
  };
  down("route:in", "hook:INPUT");
  down("hook:INPUT", "local");
  up("route:out", "hook:OUTPUT");
  // OUTPUT → POSTROUTING: right along OUTPUT's first line, then up
  {
    const a = at("hook:OUTPUT");
    const b = at("hook:POSTROUTING");
    const l = line(onPath("hook:OUTPUT", "hook:POSTROUTING"));
    const x = mid(b);
    c.put(a.x + BOX_W, a.y + 1, l.h.repeat(x - a.x - BOX_W), l.style);
    c.put(x, a.y + 1, l.h === "━" ? "┛" : "┘", l.style);
    for (let y = b.y + b.h + 1; y < a.y + 1; y++) c.put(x, y, l.v, l.style);
    c.put(x, b.y + b.h, "▲", l.style);
  }
  // the interfaces, above their hooks
  const inBox = scene.boxes.find((b) => b.id === "in")!;
  const outBox = scene.boxes.find((b) => b.id === "out")!;
  {
    const pre = at("hook:PREROUTING");
    const l = line(onPath("in", "hook:PREROUTING"));
    const n = inBox.visits.length ? `${inBox.visits[0]} ` : "";
    c.put(0, 0, `${n}in: ${inBox.label}`, inBox.visits.length ? "seen" : "");
    c.put(mid(pre), 1, l.v, l.style);
    c.put(mid(pre), 2, "▼", l.style);
    const post = at("hook:POSTROUTING");
    const lo = line(onPath("hook:POSTROUTING", "out"));
    const no = outBox.visits.length ? `${outBox.visits[0]} ` : "";
    const label = `${no}out: ${outBox.label}`;
    c.put(Math.min(post.x, WIDTH - label.length), 0, label, outBox.visits.length ? "seen" : "");
    c.put(mid(post), 1, "▲", lo.style);
    c.put(mid(post), 2, lo.v, lo.style);
  }
  const lines = c.text(opts.color ?? false);
  lines.unshift(scene.title);
  if (scene.fate) {
    const f = `${scene.fate.ok ? "✓" : "✗"} FATE: ${scene.fate.text}`;
    lines.push(opts.color ? `${ANSI[scene.fate.ok ? "ok" : "bad"]}${f}\x1b[0m` : f);
  } else if (scene.path.length) lines.push("▶ stepping: the path so far; ▶ marks the cursor");
  lines.push(...markNotes(scene).flatMap((n) => wrap(`  ${n}`, "      ")));
  // with no packet there is no path to explain: only what the boxes say
  if (scene.path.length) lines.push("legend: ━ the packet's path, N its steps in order, ↳ what happened there,", "        ░ rules the kernel trace hides (before TRACE), (table) no rules here");
  else lines.push("legend: each box is a hook with its tables in the order they run; (table) no rules here;", "        send a packet and its path is drawn on it");
  return lines.join("\n");
}
