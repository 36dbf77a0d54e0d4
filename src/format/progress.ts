/**
 * Long work's progress as one line of text: "██████░░░░  38%  38,144 of 100,000 connections".
 *
 * Why: the CLI (a load before the REPL starts) and the REPL (stats, load) draw the same bar.
 */
export function progressBar(p: { done: number; total: number; stage?: string; unit?: string }, unit: string, width = 20): string {
  if (p.total === 0 && p.stage) return `${p.stage}…`;
  if (p.stage) return `${p.stage}: ${progressBar({ done: p.done, total: p.total }, p.unit ?? unit, width)}`;
  const share = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(share * width);
  const n = (x: number) => x.toLocaleString("en-US");
  return `${"█".repeat(filled)}${"░".repeat(width - filled)}  ${String(Math.floor(share * 100)).padStart(3)}%  ${n(p.done)} of ${n(p.total)} ${unit}`;
}
