/**
 * Reading a scenario file's YAML with every value's place in the file: typed accessors that fail
 * with `file:line:column: field.path: problem`, and mappings whose unknown keys are refused with a
 * did-you-mean.
 *
 * Why: a teacher writes these files by hand; a typo must point at the exact field and line, not
 * surface later as a packet going somewhere strange. Embedded texts (iptables-save, ipset save)
 * keep their own line numbers through `embeddedOrigin`, so their errors land on the right line of
 * the scenario file too.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document, type Node, type YAMLMap } from "yaml";
import { didYouMean, ParseError } from "../engine/parse/errors.js";

export type YNode = Node | null | undefined;

/** One value, where it came from and how to name it in an error. */
export interface Field {
  node: YNode;
  path: string;
}

export class ScenarioDoc {
  readonly lc = new LineCounter();
  readonly doc: Document;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lc, prettyErrors: false, uniqueKeys: true });
    const err = this.doc.errors[0];
    if (err) {
      const { line, col } = this.lc.linePos(err.pos[0]);
      const what = err.code === "DUPLICATE_KEY" ? "a key appears twice in the same mapping" : `not valid YAML: ${err.message.split("\n")[0]}`;
      throw new ParseError(file, line, col, text.slice(err.pos[0], err.pos[1]).split("\n")[0] ?? "", what);
    }
  }

  get root(): Field {
    return { node: this.doc.contents, path: "" };
  }

  /** line and column (1-based) of a node's first character, or of the document start. */
  where(node: YNode, offset = 0): { line: number; col: number } {
    const pos = (node?.range?.[0] ?? 0) + offset;
    return this.lc.linePos(pos);
  }

  fail(f: Field, msg: string, token?: string, offset = 0): never {
    const { line, col } = this.where(f.node, offset);
    const shown = token ?? (isScalar(f.node) ? String(f.node.value) : "");
    throw new ParseError(this.file, line, col, shown, `${f.path ? `${f.path}: ` : ""}${msg}`);
  }

  /** The fields of a mapping; unknown keys fail with a did-you-mean, missing required ones too. */
  fields(f: Field, known: readonly string[], required: readonly string[] = []): Map<string, Field> {
    if (!isMap(f.node)) this.fail(f, `expected a mapping (key: value lines), got ${describe(f.node)}`);
    const out = new Map<string, Field>();
    for (const pair of (f.node as YAMLMap).items) {
      const key = pair.key as YNode;
      const name = isScalar(key) ? String(key.value) : "";
      const keyField = { node: key, path: f.path };
      if (!known.includes(name)) {
        const near = didYouMean(name, known);
        this.fail(keyField, `unknown key "${name}"${near ? ` (did you mean "${near}"?)` : ""}; known here: ${known.join(", ")}`, name);
      }
      out.set(name, { node: pair.value as YNode, path: join(f.path, name) });
    }
    for (const r of required) if (!out.has(r)) this.fail(f, `"${r}" is required here`, "");
    return out;
  }

  /** A mapping with free keys (sysctl names): each key and its value. */
  entries(f: Field): { name: string; key: Field; value: Field }[] {
    if (!isMap(f.node)) this.fail(f, `expected a mapping (name: value lines), got ${describe(f.node)}`);
    return (f.node as YAMLMap).items.map((pair) => {
      const key = { node: pair.key as YNode, path: f.path };
      const name = isScalar(pair.key) ? String(pair.key.value) : "";
      return { name, key, value: { node: pair.value as YNode, path: `${f.path}["${name}"]` } };
    });
  }

  str(f: Field): string {
    if (isMap(f.node) && (f.node as YAMLMap).items.length === 1 && isScalar((f.node as YAMLMap).items[0]!.value))
      this.fail(f, `expected text, got a mapping: a value containing ": " must be quoted, e.g. - "100: from all lookup main"`);
    if (!isScalar(f.node) || f.node.value === null || typeof f.node.value === "object") this.fail(f, `expected text, got ${describe(f.node)}`);
    return String((f.node as Scalar).value);
  }

  int(f: Field, min: number, max: number): number {
    const v = isScalar(f.node) ? f.node.value : undefined;
    const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) this.fail(f, `expected a whole number from ${min} to ${max}, got ${describe(f.node)}`);
    return n;
  }

  bool(f: Field): boolean {
    if (!isScalar(f.node) || typeof f.node.value !== "boolean") this.fail(f, `expected true or false, got ${describe(f.node)}`);
    return (f.node as Scalar).value as boolean;
  }

  list(f: Field): Field[] {
    if (!isSeq(f.node)) this.fail(f, `expected a list (lines starting with "- ", or [a, b]), got ${describe(f.node)}`);
    return (f.node as { items: unknown[] }).items.map((n, i) => ({ node: n as YNode, path: `${f.path}[${i}]` }));
  }

  isList(f: Field): boolean {
    return isSeq(f.node);
  }

  /**
   * Where line 1, column 1 of a text value sits in the file: for a block scalar (`key: |`) the
   * line after its header at the block's indentation, for a one-line scalar the value itself.
   */
  embeddedOrigin(f: Field): { line: number; col: number; exact: boolean } {
    const node = f.node;
    if (isScalar(node) && (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED)) {
      const header = this.where(node).line;
      const lines = this.text.split("\n");
      let indent = 0;
      for (let l = header; l < lines.length; l++) {
        const text = lines[l]!;
        if (text.trim() === "") continue;
        indent = text.length - text.trimStart().length;
        break;
      }
      return { line: header + 1, col: indent + 1, exact: node.type === Scalar.BLOCK_LITERAL };
    }
    const at = this.where(node, isScalar(node) && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) ? 1 : 0);
    return { ...at, exact: false };
  }

  /** Offset of a token inside a one-line scalar's source (1 past a quote). */
  tokenOffset(f: Field, index: number): number {
    const quoted = isScalar(f.node) && (f.node.type === Scalar.QUOTE_DOUBLE || f.node.type === Scalar.QUOTE_SINGLE);
    return index + (quoted ? 1 : 0);
  }
}

export function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function describe(n: YNode): string {
  if (n === null || n === undefined) return "nothing";
  if (isMap(n)) return "a mapping";
  if (isSeq(n)) return "a list";
  if (isScalar(n)) {
    const v = n.value;
    if (v === null) return "nothing";
    return typeof v === "string" ? JSON.stringify(v) : `${typeof v} ${String(v)}`;
  }
  return "something else";
}

/** Words of a one-line value with their start offsets. */
export function words(text: string): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  const re = /\S+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ text: m[0], at: m.index });
  return out;
}
