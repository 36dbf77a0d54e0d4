/**
 * A command's output as a Jupyter MIME bundle, and each kind of display data as HTML or SVG.
 *
 * Why: the notebook kernel and the tslab API show what a command returned the way a notebook can
 * — the walk as an HTML table, the hook diagram as SVG — and always keep the plain text beside
 * it, so a front end that knows no HTML (nbconvert to text, a terminal client) still reads the
 * same answer. text/html carries every display (SVG inline, so a page's DOM holds the diagram);
 * image/svg+xml is there too when the output is a single picture.
 */
import type { CommandOutput, Display } from "../../lang/command.js";
import { walkHtml } from "./html-walk.js";
import { conntrackHtml, stateHtml, tableHtml } from "./html-tables.js";
import { diagramSvg } from "./diagram-svg.js";
import { statsSvg } from "./stats-svg.js";
import { Marked } from "marked";

/** Markdown to HTML for notebooks (lessons are the project's own files; GitHub-flavoured). */
const markdownHtml = new Marked({ gfm: true });

/** A picture, for the displays that are pictures (the diagram, the stats chart). */
export function displaySvg(d: Display): string | undefined {
  if (d.kind === "diagram") return diagramSvg(d.scene);
  if (d.kind === "stats") return statsSvg(d);
  return undefined;
}

/** Any display as an HTML fragment (pictures as inline SVG). */
export function displayHtml(d: Display): string {
  switch (d.kind) {
    case "walk":
      return walkHtml(d);
    case "state":
      return stateHtml(d);
    case "conntrack":
      return conntrackHtml(d);
    case "table":
      return tableHtml(d);
    case "markdown":
      return `<div class="ktrace-lesson">${markdownHtml.parse(d.markdown, { async: false }) as string}</div>`;
    case "diagram":
    case "stats":
      return `<div class="ktrace-figure" style="max-width:100%;overflow-x:auto">${displaySvg(d)}</div>`;
  }
}

export function mimeBundle(out: CommandOutput): Record<string, string> {
  const bundle: Record<string, string> = { "text/plain": out.text };
  const ds = out.display ?? [];
  const html = ds.map(displayHtml).filter(Boolean);
  if (html.length) bundle["text/html"] = `<div class="ktrace-output">${html.join("\n")}</div>`;
  const md = ds.flatMap((d) => (d.kind === "markdown" ? [d.markdown] : []));
  if (md.length) bundle["text/markdown"] = md.join("\n\n");
  const svg = ds.length === 1 ? displaySvg(ds[0]!) : undefined;
  if (svg) bundle["image/svg+xml"] = svg;
  return bundle;
}
