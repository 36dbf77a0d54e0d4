/**
 * Escaping for the HTML and SVG ktrace writes.
 *
 * Why: rule comments, chain names and interface names come from files a learner loaded; a
 * comment holding `<`, `&` or a quote must show as text in a notebook, never as markup.
 */
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or an attribute value, safe inside HTML and XML (SVG). */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
