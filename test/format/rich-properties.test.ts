// Properties of the rich renderers over many packets: for any packet the diagram's path is the
// walk's tables in order, the fixed arrows it lights join consecutive boxes, the SVG is
// well-formed, the ASCII fits 80 columns, and every command's MIME bundle renders without
// throwing, its text/plain the command's text.
import { describe, expect, it } from "vitest";
import { articleSession } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import { createRng } from "../../src/engine/rng.js";
import type { TraceEvent } from "../../src/engine/trace/events.js";
import { groupOf, pathTables } from "../../src/format/rich/diagram-scene.js";
import { diagramSvg } from "../../src/format/rich/diagram-svg.js";
import { diagramAscii } from "../../src/format/rich/diagram-ascii.js";
import { sessionScene } from "../../src/lang/commands/diagram.js";
import { mimeBundle } from "../../src/format/rich/mime.js";

const SOURCES = ["192.168.1.88", "192.168.1.20", "10.42.135.131", "10.42.54.194", "127.0.0.1", "0.0.0.0", "8.8.8.8"];
const DESTS = ["10.43.156.98:9898", "10.43.0.10:53", "10.42.54.194:9898", "192.168.1.88:30080", "192.168.1.88:22", "192.168.1.20:80", "8.8.8.8:443", "127.0.0.1:9099", "10.42.217.66:9898", "255.255.255.255:67"];
const IFACES = ["", "", " in enp3s0", " in vxlan.calico", " in cali5c2e8d1a0b7", " in lo"];

function walkTables(events: TraceEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const key = "table" in e && e.table && "hook" in e ? `${e.hook} ${e.table}` : e.kind === "nat" ? `${e.hook} nat` : undefined;
    if (key && out[out.length - 1] !== key) out.push(key);
  }
  return out;
}

/** Tags balance (the same check as the diagram test, kept small). */
function balanced(xml: string): boolean {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([A-Za-z][\w:-]*)(?:\s+[\w:-]+="[^"<]*")*\s*(\/?)>/g)) {
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else if (!m[3]) stack.push(m[2]!);
  }
  return stack.length === 0 && !/<(?![A-Za-z/])/.test(xml);
}

describe("the diagram for many packets", () => {
  it("draws the walk's tables in order, lights only arrows between consecutive boxes, stays well-formed and 80 columns wide", () => {
    const rng = createRng(9);
    const pick = <T,>(xs: T[]) => xs[rng.u32() % xs.length]!;
    const s = articleSession(5);
    let drawn = 0;
    for (let i = 0; i < 120; i++) {
      const proto = pick(["tcp", "udp", "tcp", "icmp"]);
      const src = pick(SOURCES);
      const dst = pick(DESTS);
      const line = proto === "icmp" ? `send icmp ${src} -> ${dst.split(":")[0]}${pick(IFACES)}` : `send ${proto} ${src}:${40000 + i} -> ${dst}${pick(IFACES)}`;
      const r = runLine(s, line);
      if (r.error) continue;
      drawn++;
      const scene = sessionScene(s);
      expect(pathTables(scene), line).toEqual(walkTables(s.stepper!.events));
      for (let k = 1; k < scene.path.length; k++) expect(scene.path[k], line).not.toBe(scene.path[k - 1]);
      const hops = new Set(scene.path.slice(1).map((id, k) => `${groupOf(scene, scene.path[k]!)}>${groupOf(scene, id)}`));
      for (const e of scene.edges.filter((x) => x.onPath)) expect(hops.has(`${e.from}>${e.to}`), `${line}: ${e.from}>${e.to}`).toBe(true);
      expect(scene.fate, line).toBeDefined();
      expect(balanced(diagramSvg(scene)), line).toBe(true);
      for (const l of diagramAscii(scene).split("\n").slice(1).filter((x) => !/^[✓✗] FATE: /.test(x))) expect([...l].length, `${line}: ${l}`).toBeLessThanOrEqual(80);
      if (i % 10 === 9) runLine(s, "reply");
      if (i % 30 === 29) runLine(s, "reset");
    }
    expect(drawn).toBeGreaterThan(60);
  });
});

describe("MIME bundles of whatever a user types", () => {
  it("render without throwing; text/plain is the text; HTML and SVG are well-formed", () => {
    const valid = [
      "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "send udp 10.42.135.131:40000 -> 10.43.0.10:53 in cali5c2e8d1a0b7", "send tcp 192.168.1.20:51000 -> 192.168.1.88:30080 in enp3s0",
      "step", "step 5", "next", "finish", "continue", "back 2", "where", "reply", "show state", "show conntrack", "show path", "show routes", "show interfaces",
      "show chain nat KUBE-SERVICES", "iptables -t nat -L KUBE-SVC-Y4T5L63IYP3YFEBS -n -v", "route get 10.42.54.194", "stats 50", "diagram", "diagram full", "connect tcp 192.168.1.88:40000 -> 10.43.156.98:9898",
      "break chain KUBE-SVC-Y4T5L63IYP3YFEBS", "format xtables-monitor", "format explain",
      "show rules", "show sets", "show source", "replay article", "explain chain KUBE-SVC-Y4T5L63IYP3YFEBS", "history", "lessons", "lesson 1", "lesson next",
    ];
    const junk = ["nat", "KUBE-SERVICES", "full", "-n", "3", "0", "->", "bogus", '"<b>&x"', "in", "lo", "999999"];
    const rng = createRng(11);
    const s = articleSession(3);
    s.stepByStep = true;
    const kinds = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const words = valid[rng.u32() % valid.length]!.split(" ");
      // half the lines as written, half with a word replaced or added
      if (rng.u32() % 2) words[rng.u32() % (words.length + 1)] = junk[rng.u32() % junk.length]!;
      const line = words.join(" ");
      const r = runLine(s, line);
      const b = mimeBundle(r);
      for (const d of r.display ?? []) kinds.add(d.kind);
      expect(b["text/plain"], line).toBe(r.text);
      if (b["text/html"]) expect(balanced(b["text/html"]), line).toBe(true);
      if (b["image/svg+xml"]) expect(balanced(b["image/svg+xml"]), line).toBe(true);
    }
    // the lines reached every kind of display
    expect([...kinds].sort()).toEqual(["conntrack", "diagram", "markdown", "state", "stats", "table", "walk"]);
  });
});
