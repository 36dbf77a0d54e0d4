/**
 * Colours for the REPL, chosen to read on light and dark terminals (no white/black, no
 * background fills), and switched off entirely with NO_COLOR.
 *
 * Why: colour carries meaning here (matched, missed, fate, error), so it comes from one place.
 */
export interface LineStyle {
  color?: string;
  dim?: boolean;
  bold?: boolean;
}

export const colorEnabled = () => !("NO_COLOR" in process.env) && process.env.TERM !== "dumb";

export function styleOf(line: string): LineStyle {
  if (/^error:|^\s*hint:/.test(line)) return { color: "red" };
  if (/^FATE: (sent|delivered)/.test(line)) return { color: "green", bold: true };
  if (/^FATE:/.test(line)) return { color: "red", bold: true };
  if (/^\s*@ /.test(line)) return { color: "cyan" };
  if (/^(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING)$/.test(line)) return { color: "magenta", bold: true };
  if (/^ {2}(raw|mangle|nat|filter|security) /.test(line)) return { color: "yellow", bold: true };
  if (/ ✗ /.test(line)) return { dim: true };
  if (/ ✓ /.test(line)) return { color: "green" };
  if (/^PACKET:/.test(line)) return { color: "cyan" };
  if (/^▶ /.test(line)) return { bold: true };
  if (/^ {2}\S.*(DNAT|SNAT) /.test(line)) return { color: "blue", bold: true };
  return {};
}
