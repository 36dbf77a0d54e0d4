/**
 * The snapshot file: everything ktrace needs from a node, in one text file a user can copy off
 * a real machine (`ktrace-repl snapshot -o node.ktrace`) and load anywhere (`--snapshot`).
 *
 * Why: fidelity without a cluster. Each section is the verbatim output of a read-only command,
 * so a snapshot is easy to inspect, diff and redact by hand:
 *
 *   # ktrace snapshot v1
 *   ## hostname
 *   ## iptables-save        (iptables-nft-save or iptables-legacy-save output)
 *   ## ip -j addr
 *   ## ip -j route show table all
 *   ## ip -j rule
 *   ## ipset save
 *   ## nft -a list ruleset  (optional: the node's real rule handles)
 *   ## ss -Hlntu            (optional: listening sockets; then closed ports are answered)
 *   ## sysctl               (name = value lines)
 */
export const SNAPSHOT_MAGIC = "# ktrace snapshot v1";

export const SECTIONS = ["hostname", "iptables-save", "ip -j addr", "ip -j route show table all", "ip -j rule", "ipset save", "nft -a list ruleset", "ss -Hlntu", "sysctl"] as const;
export type SectionName = (typeof SECTIONS)[number];

export class SnapshotError extends Error {}

export function parseSnapshot(text: string, file: string): Map<SectionName, { body: string; line: number }> {
  const lines = text.split("\n");
  if (lines[0]?.trim() !== SNAPSHOT_MAGIC) throw new SnapshotError(`${file}:1:1: not a ktrace snapshot (the first line must be "${SNAPSHOT_MAGIC}")`);
  const out = new Map<SectionName, { body: string; line: number }>();
  let cur: { name: SectionName; start: number; body: string[] } | undefined;
  const flush = () => {
    if (cur) out.set(cur.name, { body: cur.body.join("\n").replace(/\n+$/, "") + "\n", line: cur.start });
  };
  lines.slice(1).forEach((l, i) => {
    const m = /^## (.+)$/.exec(l);
    if (m) {
      const name = m[1]!.trim() as SectionName;
      if (!SECTIONS.includes(name)) throw new SnapshotError(`${file}:${i + 2}:4: unknown section "${name}" (sections: ${SECTIONS.join(", ")})`);
      flush();
      cur = { name, start: i + 3, body: [] };
      return;
    }
    if (cur) cur.body.push(l);
  });
  flush();
  for (const need of ["iptables-save", "ip -j addr", "ip -j route show table all"] as const)
    if (!out.has(need)) throw new SnapshotError(`${file}: the snapshot has no "## ${need}" section`);
  return out;
}

export function writeSnapshot(sections: Partial<Record<SectionName, string>>): string {
  const parts = [SNAPSHOT_MAGIC];
  for (const s of SECTIONS) {
    const body = sections[s];
    if (body === undefined) continue;
    parts.push(`## ${s}`, body.replace(/\n+$/, ""));
  }
  return parts.join("\n") + "\n";
}

export function parseSysctl(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of text.split("\n")) {
    const m = /^\s*([\w.]+)\s*=\s*(.*?)\s*$/.exec(l);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}
