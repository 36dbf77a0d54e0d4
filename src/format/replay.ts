/**
 * Annotates a real `xtables-monitor --trace` capture against the loaded ruleset: which rule each
 * TRACE line is, what it did, and what changed in the packet between PACKET lines.
 *
 * Why: learners arrive with a capture from their own node (like the article's) and want it read
 * to them line by line. Rules are found by handle first, then by their text.
 */
import type { Rule, Ruleset, TableName } from "../engine/model/ruleset.js";

export interface ReplayLine {
  line: number;
  text: string;
  notes: string[];
}

const TRACE = /^ ?TRACE: 2 ([0-9a-f]{8}) (\w+):([^:]+):(rule|return|policy):(?:0x([0-9a-f]+):)?([^ ]*)\s*(?:-4 -t \w+ -A \S+ ?(.*))?$/;
const PACKET = /^PACKET: 2 ([0-9a-f]{8}) (.*)$/;

function fields(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const w of text.trim().split(/\s+/)) {
    const eq = w.indexOf("=");
    if (eq > 0) m.set(w.slice(0, eq), w.slice(eq + 1));
    else m.set(w, "");
  }
  return m;
}

function findRule(rs: Ruleset, table: string, chain: string, handle: number | undefined, text: string | undefined): { rule?: Rule; index?: number; how: string } {
  const c = rs.tables.get(table as TableName)?.chains.get(chain);
  if (!c) return { how: `chain ${table} ${chain} is not in the loaded ruleset` };
  if (handle !== undefined) {
    const i = c.rules.findIndex((r) => r.handle === handle);
    if (i >= 0 && (!text || c.rules[i]!.text === text.trim())) return { rule: c.rules[i], index: i + 1, how: "by handle" };
  }
  if (text) {
    const i = c.rules.findIndex((r) => r.text === text.trim());
    if (i >= 0) return { rule: c.rules[i], index: i + 1, how: handle !== undefined ? `by text (the loaded ruleset numbers it 0x${c.rules[i]!.handle.toString(16)})` : "by text" };
    // older iptables printed tcp/udp matches after other matches without their options
    const loose = (s: string) => s.replace(/ -m (tcp|udp)( --[sd]port \S+)*/g, "").trim();
    const j = c.rules.findIndex((r) => loose(r.text) === loose(text));
    if (j >= 0) return { rule: c.rules[j], index: j + 1, how: "by text, ignoring the port options older iptables did not print" };
  }
  return { how: "no such rule in the loaded ruleset" };
}

function whatItDid(verdict: string, rule: Rule | undefined): string {
  if (verdict.startsWith("JUMP:")) return `jumps to ${verdict.slice(5)}`;
  if (verdict.startsWith("GOTO:")) return `goes to ${verdict.slice(5)} (no return here)`;
  if (verdict === "0xfffffffb") return "RETURN to the calling chain";
  const t = rule?.target;
  if (t?.kind === "ext") {
    const opts = t.module.save(t.data);
    if (verdict === "CONTINUE") return `${t.module.name} ${opts}`.trim() + " — and the walk continues";
    return `${t.module.name} ${opts}`.trim() + ` — verdict ${verdict}`;
  }
  if (verdict === "CONTINUE") return "matched (no target): counted, the walk continues";
  return `verdict ${verdict}`;
}

const KEYS = ["IN", "OUT", "SRC", "DST", "SPORT", "DPORT", "MARK", "TTL", "TOS", "LEN"];

export function annotateCapture(capture: string, rs: Ruleset): ReplayLine[] {
  const out: ReplayLine[] = [];
  const lastPacket = new Map<string, Map<string, string>>();
  capture.split("\n").forEach((text, i) => {
    const notes: string[] = [];
    const p = PACKET.exec(text);
    const t = TRACE.exec(text);
    if (p) {
      const id = p[1]!;
      const f = fields(p[2]!);
      const prev = lastPacket.get(id);
      if (!prev) notes.push("first sight of this packet (trace id " + id + ")");
      else {
        const changes = KEYS.filter((k) => prev.get(k) !== f.get(k)).map((k) => `${k} ${prev.get(k) ?? "-"} → ${f.get(k) ?? "-"}`);
        notes.push(changes.length ? `changed since the last PACKET line: ${changes.join(", ")}` : "unchanged — a new base chain starts");
      }
      lastPacket.set(id, f);
    } else if (t) {
      const [, , table, chain, kind, handleHex, verdict, ruleText] = t;
      if (kind === "rule") {
        const r = findRule(rs, table!, chain!, handleHex ? parseInt(handleHex, 16) : undefined, ruleText);
        notes.push(r.rule ? `${table} ${chain} rule #${r.index} (${r.how}): ${whatItDid(verdict!, r.rule)}` : `${table} ${chain}: ${r.how}`);
      } else if (kind === "return") notes.push(/^(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING)$/.test(chain!) ? `end of the ${table} ${chain} base chain (older kernels trace this before the policy)` : `end of ${chain}: back to the chain that jumped here`);
      else notes.push(`end of the ${table} ${chain} base chain: its policy ${verdict} applies`);
    } else if (text.trim()) notes.push("(not an xtables-monitor trace line)");
    if (text.trim()) out.push({ line: i + 1, text, notes });
  });
  return out;
}
