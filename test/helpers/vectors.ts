// Reads test/fixtures/save-canonical/vectors.t (measured with iptables-nft-restore/-save 1.8.9).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface Vector {
  line: number;
  table: string;
  chain: string;
  input: string;
  expected: string;
  ok: boolean;
  error?: string;
}

export function fixturePath(rel: string): string {
  return fileURLToPath(new URL(`../fixtures/${rel}`, import.meta.url));
}

export function readVectors(): Vector[] {
  const lines = readFileSync(fixturePath("save-canonical/vectors.t"), "utf8").split("\n");
  const out: Vector[] = [];
  lines.forEach((l, i) => {
    if (l.startsWith("# error: ") && out.length) out[out.length - 1]!.error = l.slice(9);
    if (!l || l.startsWith("#")) return;
    const parts = l.split(";");
    const status = parts.pop();
    out.push({
      line: i + 1,
      table: parts[0]!,
      chain: parts[1]!,
      input: parts.slice(2, parts.length - 1).join(";"),
      expected: parts[parts.length - 1]!,
      ok: status === "OK",
    });
  });
  return out;
}
