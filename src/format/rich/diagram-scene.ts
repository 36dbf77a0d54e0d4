/**
 * The netfilter hook diagram as a small scene — boxes on a grid, the fixed arrows between them,
 * and a packet's path over them — built from a walk's events.
 *
 * Why: the article's Figure 2 (the hooks, their tables in kernel order, the routing decisions,
 * the local process) is how a learner pictures a packet's way through the node. The SVG and the
 * ASCII pictures are both drawn from this one scene, so they always show the same path, marks
 * and fate; tests read the scene instead of pixels.
 *
 *   col:   0        1            2          3          4             5
 *   row 0: in  ──▶ PREROUTING ─▶ routing ─▶ FORWARD ─▶ POSTROUTING ─▶ out
 *   row 1:                        INPUT      OUTPUT ───────┘
 *   row 2:                        local ───▶ routing (output)
 */
import type { TraceEvent, Fate } from "../../engine/trace/events.js";
import type { Packet } from "../../engine/model/packet.js";
import type { TableName } from "../../engine/model/ruleset.js";
import { HOOKS, HOOK_STAGES, type Hook } from "../../engine/walk/hooks.js";
import { describePacket, fateText } from "../describe.js";

export type BoxKind = "hook" | "table" | "routing" | "local" | "iface";

export type MarkKind = "DNAT" | "SNAT" | "MASQUERADE" | "REDIRECT" | "un-DNAT" | "un-SNAT" | "reroute" | "DROP" | "REJECT";

export interface Mark {
  kind: MarkKind;
  /** Longer words for a tooltip or legend: "10.43.156.98:9898 ⇒ 10.42.54.194:9898". */
  detail: string;
}

export interface SceneBox {
  /** "hook:OUTPUT", "OUTPUT/nat", "route:in", "route:out", "local", "in", "out" */
  id: string;
  kind: BoxKind;
  label: string;
  hook?: Hook;
  table?: TableName;
  /** Grid cell (tables: the cell of their hook). */
  col: number;
  row: number;
  /** Tables: position inside their hook, kernel order. */
  slot?: number;
  /** Tables: the ruleset has this table's chain for this hook (else drawn faint). */
  present: boolean;
  /** 1-based numbers of the path steps that entered this box. */
  visits: number[];
  marks: Mark[];
  /** Rules ran here that xtables-monitor does not show (before the TRACE rule). */
  hidden: boolean;
  /** The walk's cursor is here (stepping). */
  current: boolean;
}

export interface SceneEdge {
  from: string;
  to: string;
  /** The packet went this way. */
  onPath: boolean;
}

export interface Scene {
  /** The packet, as sent ("tcp 192.168.1.88:49058 -> 10.43.156.98:9898 SYN len 60"), or a caption. */
  title: string;
  boxes: SceneBox[];
  edges: SceneEdge[];
  /** Box ids in the order the packet visited them (tables, routing, local process, interfaces). */
  path: string[];
  fate?: { text: string; ok: boolean; at: string };
  /** false while stepping: the path so far, the cursor on its last box. */
  done: boolean;
}

/** Where each hook, routing decision and end point sits on the grid. */
const CELL: Record<string, [number, number]> = {
  in: [0, 0],
  "hook:PREROUTING": [1, 0],
  "route:in": [2, 0],
  "hook:FORWARD": [3, 0],
  "hook:POSTROUTING": [4, 0],
  out: [5, 0],
  "hook:INPUT": [2, 1],
  "hook:OUTPUT": [3, 1],
  local: [2, 2],
  "route:out": [3, 2],
};

const FIXED_EDGES: [string, string][] = [
  ["in", "hook:PREROUTING"],
  ["hook:PREROUTING", "route:in"],
  ["route:in", "hook:FORWARD"],
  ["route:in", "hook:INPUT"],
  ["hook:FORWARD", "hook:POSTROUTING"],
  ["hook:INPUT", "local"],
  ["local", "route:out"],
  ["route:out", "hook:OUTPUT"],
  ["hook:OUTPUT", "hook:POSTROUTING"],
  ["hook:POSTROUTING", "out"],
];

export interface SceneOptions {
  /** Does the ruleset have this table's chain for this hook? Default: every table is there. */
  present?: (hook: Hook, table: TableName) => boolean;
  /** The ruleset has a TRACE rule (otherwise nothing is "hidden from the trace"). */
  tracing?: boolean;
  /** The walk is still being stepped through: the last box is the cursor. */
  stepping?: boolean;
}

/** The bare diagram: every hook, table, routing decision; no path. */
export function emptyScene(opts: SceneOptions = {}, title = "netfilter hooks and tables"): Scene {
  const boxes: SceneBox[] = [];
  const single = (id: string, kind: BoxKind, label: string) => {
    const [col, row] = CELL[id]!;
    boxes.push({ id, kind, label, col, row, present: true, visits: [], marks: [], hidden: false, current: false });
  };
  single("in", "iface", "network");
  single("out", "iface", "network");
  single("route:in", "routing", "routing");
  single("route:out", "routing", "routing");
  single("local", "local", "local process");
  for (const hook of HOOKS) {
    const [col, row] = CELL[`hook:${hook}`]!;
    boxes.push({ id: `hook:${hook}`, kind: "hook", label: hook, hook, col, row, present: true, visits: [], marks: [], hidden: false, current: false });
    HOOK_STAGES[hook]
      .filter((st) => st.kind === "table")
      .forEach((st, slot) => {
        const table = st.table!;
        boxes.push({ id: `${hook}/${table}`, kind: "table", label: table, hook, table, col, row, slot, present: opts.present?.(hook, table) ?? true, visits: [], marks: [], hidden: false, current: false });
      });
  }
  return { title, boxes, edges: FIXED_EDGES.map(([from, to]) => ({ from, to, onPath: false })), path: [], done: true };
}

/** The group a box belongs to for the fixed arrows: a table's hook box, or the box itself. */
export function groupOf(scene: Scene, id: string): string {
  const b = scene.boxes.find((x) => x.id === id);
  return b?.kind === "table" ? `hook:${b.hook}` : id;
}

function natMark(e: Extract<TraceEvent, { kind: "nat" }>): Mark {
  const target = e.rule?.target?.kind === "ext" ? e.rule.target.module.name : undefined;
  const kind: MarkKind =
    e.dir === "REPLY" ? (e.manip === "DST" ? "un-SNAT" : "un-DNAT")
    : e.manip === "DST" ? (target === "REDIRECT" ? "REDIRECT" : "DNAT")
    : target === "MASQUERADE" ? "MASQUERADE" : "SNAT";
  const end = (p: Packet) => (e.manip === "DST" ? `${fmt(p.dst)}${p.proto === "icmp" ? "" : `:${p.dport}`}` : `${fmt(p.src)}${p.proto === "icmp" ? "" : `:${p.sport}`}`);
  return { kind, detail: `${e.manip === "DST" ? "destination" : "source"} ${end(e.from)} ⇒ ${end(e.to)}${e.how === "conntrack" ? " (from conntrack)" : ""}` };
}

const fmt = (ip: number) => `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;

/** The diagram with a packet's path drawn on it, from its walk's events (all of them, or those up to the cursor). */
export function buildScene(input: Packet, events: TraceEvent[], opts: SceneOptions = {}): Scene {
  const scene = emptyScene(opts, describePacket(input));
  const byId = new Map(scene.boxes.map((b) => [b.id, b]));
  const box = (id: string) => byId.get(id)!;
  const path = scene.path;
  const visit = (id: string) => {
    if (path[path.length - 1] === id) return;
    path.push(id);
    box(id).visits.push(path.length);
  };
  const start = () => {
    if (path.length === 0) visit(input.iif ? "in" : "local");
  };
  if (input.iif) box("in").label = input.iif;
  let fate: Fate | undefined;
  for (const e of events) {
    switch (e.kind) {
      case "route":
        start();
        if (e.why === "reroute") {
          const last = path[path.length - 1];
          if (last) box(last).marks.push({ kind: "reroute", detail: `looked up again, now out ${e.result.dev ?? "nowhere"}${e.result.via !== undefined ? ` via ${fmt(e.result.via)}` : ""}` });
        } else visit(e.why === "output" ? "route:out" : "route:in");
        break;
      case "nat": {
        start();
        visit(`${e.hook}/nat`);
        box(`${e.hook}/nat`).marks.push(natMark(e));
        break;
      }
      case "rule":
      case "nomatch":
      case "misses":
      case "return":
      case "policy":
      case "table-done":
      case "packet":
        if (!("table" in e) || !e.table) break;
        start();
        visit(`${e.hook}/${e.table}`);
        if ((e.kind === "rule" || e.kind === "nomatch" || e.kind === "misses" || e.kind === "policy") && !e.traced && opts.tracing) box(`${e.hook}/${e.table}`).hidden = true;
        break;
      case "fate":
        fate = e.fate;
        break;
    }
  }
  if (fate) {
    let at = path[path.length - 1] ?? (input.iif ? "in" : "local");
    if (fate.kind === "sent") {
      box("out").label = fate.iface;
      visit("out");
      at = "out";
    } else if (fate.kind === "delivered") {
      visit("local");
      at = "local";
    } else if (fate.kind === "dropped" || fate.kind === "rejected") {
      at = `${fate.hook}/${fate.table}`;
      box(at).marks.push({ kind: fate.kind === "dropped" ? "DROP" : "REJECT", detail: fateText(fate) });
    }
    scene.fate = { text: fateText(fate), ok: fate.kind === "sent" || fate.kind === "delivered", at };
  }
  scene.done = !opts.stepping || fate !== undefined;
  const last = path[path.length - 1];
  if (!scene.done && last) box(last).current = true;
  // the fixed arrows the path crossed
  for (let i = 1; i < path.length; i++) {
    const a = groupOf(scene, path[i - 1]!);
    const b = groupOf(scene, path[i]!);
    if (a === b) continue;
    const edge = scene.edges.find((x) => x.from === a && x.to === b);
    if (edge) edge.onPath = true;
  }
  // a hook counts as visited from the first step into any of its tables
  for (const b of scene.boxes) {
    if (b.kind !== "hook") continue;
    const steps = scene.boxes.filter((t) => t.kind === "table" && t.hook === b.hook).flatMap((t) => t.visits);
    if (steps.length) b.visits = [Math.min(...steps)];
  }
  return scene;
}

/** The tables a path went through, as "HOOK table" — what a learner reads off the picture. */
export function pathTables(scene: Scene): string[] {
  return scene.path.flatMap((id) => {
    const b = scene.boxes.find((x) => x.id === id);
    return b?.kind === "table" ? [`${b.hook} ${b.table}`] : [];
  });
}

/**
 * What happened on the way, one line per mark in path order ("5 OUTPUT nat: DNAT destination
 * 10.43.156.98:9898 ⇒ 10.42.54.194:9898"); a drop or reject is the fate line instead.
 */
export function markNotes(scene: Scene): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const id of scene.path) {
    const b = scene.boxes.find((x) => x.id === id);
    if (!b || seen.has(id)) continue;
    seen.add(id);
    for (const m of b.marks) if (m.kind !== "DROP" && m.kind !== "REJECT") out.push(`${b.visits[0]} ${b.hook ?? ""} ${b.table ?? b.label} — ${m.kind}${m.kind === "reroute" ? ":" : ""} ${m.detail}`.replace(/\s+/g, " "));
  }
  return out;
}

/** Short words for the legend and the ASCII picture. */
export const MARK_SHORT: Record<MarkKind, string> = {
  DNAT: "DNAT",
  SNAT: "SNAT",
  MASQUERADE: "MASQ",
  REDIRECT: "REDIR",
  "un-DNAT": "un-DNAT",
  "un-SNAT": "un-SNAT",
  reroute: "reroute",
  DROP: "DROP",
  REJECT: "REJECT",
};
