/**
 * Showing a command's output in a tslab notebook: the richest form its MIME bundle has (HTML
 * table, SVG diagram, else the plain text), through tslab's public `display`.
 *
 * Why: the notebook API must not load tslab (and its TypeScript compiler) until something is
 * displayed, and must reach the tslab that runs the kernel — a second copy of tslab would have
 * no kernel to write to. tslab's kernel runs as `node …/tslab/bin/tslab`, so its own copy is found
 * from the process's script first, then from ktrace's dependencies.
 */
import { createRequire } from "node:module";

/** What ktrace needs from tslab's `display` (tslab.display satisfies it; tests pass their own). */
export interface NotebookDisplay {
  html(s: string): void;
  svg(s: string): void;
  text(s: string): void;
  markdown?(s: string): void;
}

/** The order a notebook front end prefers, richest first (as Jupyter's classic notebook does). */
const PREFERENCE = ["text/html", "image/svg+xml", "text/markdown", "text/plain"] as const;

/** Shows one bundle: its preferred representation only, as a front end would pick it. */
export function showBundle(bundle: Record<string, string>, display: NotebookDisplay): string {
  for (const type of PREFERENCE) {
    const body = bundle[type];
    if (body === undefined) continue;
    if (type === "text/html") display.html(body);
    else if (type === "image/svg+xml") display.svg(body);
    else if (type === "text/markdown" && display.markdown) display.markdown(body);
    else if (type === "text/markdown") continue;
    else if (body !== "") display.text(body);
    return type;
  }
  return "none";
}

let found: NotebookDisplay | undefined;

/** tslab's display, loaded on first use. Throws a plain message outside a tslab kernel. */
export function tslabDisplay(): NotebookDisplay {
  if (found) return found;
  const script = process.argv[1] ?? "";
  const places = [
    // the kernel: node …/node_modules/tslab/bin/tslab kernel … → that copy of tslab
    ...(/tslab/.test(script) ? [script] : []),
    import.meta.url,
  ];
  for (const from of places) {
    try {
      const tslab = createRequire(from)("tslab") as { display: NotebookDisplay };
      found = tslab.display;
      return found;
    } catch {
      // try the next place
    }
  }
  throw new Error("tslab is not installed: display() works in a tslab notebook (npx tslab install), or pass your own display to Ktrace.open({ display })");
}
