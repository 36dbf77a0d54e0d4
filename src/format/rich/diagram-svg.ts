/**
 * The hook diagram as a self-contained SVG: grey boxes for the hooks and their tables, the
 * packet's path as a coloured line with numbered steps, NAT and reroute tags, the tables whose
 * rules the kernel trace hides shaded, the fate, a legend.
 *
 * Why: in a notebook (or a file from `diagram -o FILE.svg`) a learner sees the article's Figure 2
 * with their own packet drawn on it. Everything is inline (no CSS, fonts or scripts from
 * elsewhere) so it renders in Jupyter's classic notebook, a browser or an image viewer. The path
 * is one element with id and class `ktrace-path`, so a browser test can find it.
 */
import { esc } from "./escape.js";
import { groupOf, markNotes, MARK_SHORT, type Scene, type SceneBox } from "./diagram-scene.js";

type Pt = [number, number];

const COL_X = [10, 120, 270, 420, 570, 720];
const ROW_Y = [64, 222, 412];
const HOOK_W = 130;
const IFACE_W = 90;
const SINGLE_H = 36;
const IFACE_H = 44;
const TABLE_H = 20;
const TABLE_STEP = 24;
const HEADER = 28;
const WIDTH = 820;
/** Below the boxes: the fate, what happened on the way, the legend. */
const BELOW = 476;

const C = {
  box: "#f2f2f2",
  border: "#9a9a9a",
  text: "#222",
  faint: "#aaa",
  visited: "#d6e9ff",
  visitedBorder: "#2b6cb0",
  path: "#d9480f",
  current: "#f59f00",
  ok: "#2f855a",
  bad: "#c53030",
  tag: "#6b46c1",
};

function width(b: SceneBox): number {
  return b.kind === "iface" ? IFACE_W : HOOK_W;
}

function tablesOf(scene: Scene, hook: string): SceneBox[] {
  return scene.boxes.filter((b) => b.kind === "table" && b.hook === hook);
}

/** Outer rectangle of a group box (hook, routing, local, interface). */
function rect(scene: Scene, b: SceneBox): { x: number; y: number; w: number; h: number } {
  const x = COL_X[b.col]!;
  const y = ROW_Y[b.row]!;
  const h = b.kind === "hook" ? HEADER + tablesOf(scene, b.hook!).length * TABLE_STEP + 6 : b.kind === "iface" ? IFACE_H : SINGLE_H;
  return { x, y, w: width(b), h };
}

function tableRect(scene: Scene, t: SceneBox) {
  const hook = scene.boxes.find((b) => b.id === `hook:${t.hook}`)!;
  const r = rect(scene, hook);
  return { x: r.x + 8, y: r.y + HEADER + t.slot! * TABLE_STEP, w: r.w - 16, h: TABLE_H };
}

/** Where the path passes through a box: its step circle. */
function pointOf(scene: Scene, b: SceneBox): Pt {
  if (b.kind === "table") {
    const r = tableRect(scene, b);
    return [r.x + 11, r.y + TABLE_H / 2];
  }
  const r = rect(scene, b);
  return [b.id === "in" ? r.x + r.w - 10 : r.x + 12, r.y + 18];
}

function groupRect(scene: Scene, id: string) {
  return rect(scene, scene.boxes.find((b) => b.id === groupOf(scene, id))!);
}

/**
 * From a point in one group to a point in another, along the gaps between boxes: an elbow in the
 * gap to the right, down through the gap between rows, or up along the left side of the target.
 */
function between(scene: Scene, fromId: string, toId: string, p: Pt, q: Pt): Pt[] {
  const ra = groupRect(scene, fromId);
  const rb = groupRect(scene, toId);
  if (rb.x >= ra.x + ra.w) {
    const xm = (ra.x + ra.w + rb.x) / 2;
    // leave a table through the gap below it, not across its name
    const from = scene.boxes.find((b) => b.id === fromId)!;
    const y = from.kind === "table" ? p[1] + TABLE_STEP / 2 : from.id === "in" ? p[1] : ra.y + ra.h - 5;
    return [[p[0], y], [xm, y], [xm, q[1]]];
  }
  if (rb.y >= ra.y + ra.h) {
    const ym = (ra.y + ra.h + rb.y) / 2;
    return [[p[0], ym], [q[0], ym]];
  }
  const ym = (rb.y + rb.h + ra.y) / 2;
  const xl = rb.x - 8;
  return [[p[0], ym], [xl, ym], [xl, q[1]]];
}

/** The points of a fixed arrow between two group boxes. */
function edgePoints(scene: Scene, fromId: string, toId: string): Pt[] {
  const a = scene.boxes.find((b) => b.id === fromId)!;
  const b = scene.boxes.find((x) => x.id === toId)!;
  const ra = rect(scene, a);
  const rb = rect(scene, b);
  if (a.row === b.row) return [[ra.x + ra.w, ra.y + 18], [rb.x, rb.y + 18]];
  if (a.col === b.col) {
    const cx = ra.x + ra.w / 2;
    return a.row < b.row ? [[cx, ra.y + ra.h], [cx, rb.y]] : [[cx, ra.y], [cx, rb.y + rb.h]];
  }
  // OUTPUT → POSTROUTING: right, then up
  const cx = rb.x + rb.w / 2;
  return [[ra.x + ra.w, ra.y + 18], [cx, ra.y + 18], [cx, rb.y + rb.h]];
}

/** The path as points: through each visited box, along the fixed arrows between groups. */
export function pathPoints(scene: Scene): Pt[] {
  const pts: Pt[] = [];
  const boxes = scene.path.map((id) => scene.boxes.find((b) => b.id === id)!);
  boxes.forEach((b, i) => {
    const prev = boxes[i - 1];
    const q = pointOf(scene, b);
    if (prev && groupOf(scene, prev.id) !== groupOf(scene, b.id)) pts.push(...between(scene, prev.id, b.id, pointOf(scene, prev), q));
    pts.push(q);
  });
  return pts.filter((pt, i) => i === 0 || pt[0] !== pts[i - 1]![0] || pt[1] !== pts[i - 1]![1]);
}

const pts = (p: Pt[]) => p.map(([x, y]) => `${x},${y}`).join(" ");

export function diagramSvg(scene: Scene): string {
  const out: string[] = [];
  const notes = markNotes(scene);
  const legendY = BELOW + 18 + notes.length * 16;
  const HEIGHT = legendY + 50;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="ktrace-diagram" role="img" aria-label="${esc(`netfilter hooks and tables: ${scene.title}`)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="DejaVu Sans, Verdana, Arial, sans-serif" font-size="12">`,
    `<title>${esc(scene.title)}</title>`,
    "<defs>",
    `<marker id="ktrace-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${C.border}"/></marker>`,
    `<marker id="ktrace-path-arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${C.path}"/></marker>`,
    `<pattern id="ktrace-hidden" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e4e4e4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b8b8b8" stroke-width="3"/></pattern>`,
    "</defs>",
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="14" font-weight="bold" fill="${C.text}">${esc(scene.title)}</text>`,
  );
  // fixed arrows
  for (const e of scene.edges) out.push(`<polyline class="ktrace-edge" points="${pts(edgePoints(scene, e.from, e.to))}" fill="none" stroke="${C.border}" stroke-width="1.5" marker-end="url(#ktrace-arrow)"/>`);
  // group boxes
  for (const b of scene.boxes) {
    if (b.kind === "table") continue;
    const r = rect(scene, b);
    const seen = b.visits.length > 0;
    const fill = b.kind === "hook" ? "#fafafa" : seen ? C.visited : C.box;
    const stroke = b.current ? C.current : seen ? C.visitedBorder : C.border;
    out.push(`<g class="ktrace-box" data-box="${esc(b.id)}" data-visited="${seen}"${seen && b.kind !== "hook" ? ` data-steps="${b.visits.join(",")}"` : ""}>`);
    out.push(`<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="${b.current ? 3 : seen ? 1.8 : 1}"${b.kind === "routing" ? ` stroke-dasharray="4 2"` : ""}/>`);
    if (b.kind === "iface") {
      // clear of the step circle: at the right end of "in", the left end of "out"
      const cx = r.x + r.w / 2 + (b.id === "in" ? -6 : 6);
      out.push(`<text x="${cx}" y="${r.y + 16}" text-anchor="middle" font-size="10" fill="${C.faint}">${b.id === "in" ? "arrives on" : "leaves by"}</text>`);
      out.push(`<text x="${cx}" y="${r.y + 34}" text-anchor="middle" font-size="${b.label.length > 12 ? 9 : 11}" fill="${C.text}">${esc(b.label)}</text>`);
    } else {
      const cx = b.kind === "hook" ? r.x + r.w / 2 : r.x + r.w / 2 + 8;
      out.push(`<text x="${cx}" y="${r.y + 22}" text-anchor="middle" font-weight="${b.kind === "hook" ? "bold" : "normal"}" fill="${C.text}">${esc(b.label)}</text>`);
    }
    out.push("</g>");
  }
  // tables
  for (const t of scene.boxes) {
    if (t.kind !== "table") continue;
    const r = tableRect(scene, t);
    const seen = t.visits.length > 0;
    const fill = t.hidden ? "url(#ktrace-hidden)" : seen ? C.visited : C.box;
    const stroke = t.current ? C.current : seen ? C.visitedBorder : C.border;
    const title = [`${t.hook} ${t.table}`, !t.present ? "(no such chain in this ruleset)" : "", t.hidden ? "rules here ran before TRACE: the kernel trace does not show them" : "", ...t.marks.map((m) => `${m.kind}: ${m.detail}`)].filter(Boolean).join("\n");
    out.push(`<g class="ktrace-table" data-box="${esc(t.id)}" data-visited="${seen}"${t.hidden ? ` data-hidden="true"` : ""}${seen ? ` data-steps="${t.visits.join(",")}"` : ""}>`);
    out.push(`<title>${esc(title)}</title>`);
    out.push(`<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" rx="3" fill="${fill}" stroke="${stroke}" stroke-width="${t.current ? 3 : 1}"${t.present ? "" : ` stroke-dasharray="2 2" opacity="0.6"`}/>`);
    out.push(`<text x="${r.x + 26}" y="${r.y + 14}" fill="${t.present ? C.text : C.faint}">${esc(t.label)}</text>`);
    if (t.marks.length) {
      const tag = t.marks.map((m) => (m.kind === "reroute" ? "⟲" : MARK_SHORT[m.kind])).join(" ");
      const bad = t.marks.some((m) => m.kind === "DROP" || m.kind === "REJECT");
      out.push(`<text class="ktrace-mark" x="${r.x + r.w - 4}" y="${r.y + 14}" text-anchor="end" font-size="10" font-weight="bold" fill="${bad ? C.bad : C.tag}">${esc(tag)}</text>`);
    }
    out.push("</g>");
  }
  // the path, then the step numbers over it
  const p = pathPoints(scene);
  if (p.length > 1) out.push(`<polyline id="ktrace-path" class="ktrace-path" points="${pts(p)}" fill="none" stroke="${C.path}" stroke-width="3" stroke-linejoin="round" stroke-opacity="0.85" marker-end="url(#ktrace-path-arrow)"/>`);
  for (const b of scene.boxes) if (b.kind !== "hook" && b.visits.length) out.push(stepCircle(...pointOf(scene, b), b.visits));
  // fate
  if (scene.fate) {
    const f = scene.fate;
    out.push(`<text class="ktrace-fate" x="10" y="${BELOW}" font-size="13" font-weight="bold" fill="${f.ok ? C.ok : C.bad}">${esc(`${f.ok ? "✓" : "✗"} FATE: ${f.text}`)}</text>`);
  } else if (scene.path.length) {
    out.push(`<text x="10" y="${BELOW}" font-size="13" fill="${C.current}">${esc("▶ stepping: the path so far (the cursor is on the outlined box)")}</text>`);
  }
  notes.forEach((n, i) => out.push(`<text class="ktrace-note" x="10" y="${BELOW + 18 + i * 16}" font-size="11" fill="${C.tag}">${esc(n)}</text>`));
  out.push(legend(legendY));
  out.push("</svg>");
  return out.join("\n");
}

function stepCircle(x: number, y: number, visits: number[]): string {
  const label = visits.join(",");
  return `<g class="ktrace-step"><circle cx="${x}" cy="${y}" r="8" fill="${C.path}"/><text x="${x}" y="${y + 3.5}" text-anchor="middle" font-size="${label.length > 2 ? 7 : 10}" font-weight="bold" fill="#fff">${esc(label)}</text></g>`;
}

function legend(y: number): string {
  const item = (x: number, swatch: string, text: string) => `${swatch.replace(/X/g, String(x))}<text x="${x + 22}" y="${y + 12}" font-size="11" fill="${C.text}">${esc(text)}</text>`;
  const box = (fill: string, stroke: string) => `<rect x="X" y="${y + 2}" width="16" height="12" rx="2" fill="${fill}" stroke="${stroke}"/>`;
  const row2 = y + 22;
  return [
    `<g class="ktrace-legend">`,
    item(10, box(C.box, C.border), "table not visited"),
    item(150, box(C.visited, C.visitedBorder), "table the packet went through"),
    item(360, box("url(#ktrace-hidden)", C.border), "rules hidden from the kernel trace (before TRACE)"),
    `<line x1="10" y1="${row2 + 8}" x2="26" y2="${row2 + 8}" stroke="${C.path}" stroke-width="3"/><text x="32" y="${row2 + 12}" font-size="11" fill="${C.text}">the packet's path, steps numbered</text>`,
    `<text x="260" y="${row2 + 12}" font-size="11" fill="${C.text}"><tspan font-weight="bold" fill="${C.tag}">DNAT SNAT MASQ</tspan> address rewritten  <tspan font-weight="bold" fill="${C.tag}">⟲</tspan> routing looked up again (reroute)  <tspan font-weight="bold" fill="${C.bad}">DROP</tspan> the fate</text>`,
    `</g>`,
  ].join("\n");
}
