/**
 * The look of ktrace's HTML tables, as inline style attributes.
 *
 * Why: notebook front ends differ in what they keep of a <style> block (nbviewer and some
 * sanitizers drop it), but they all keep `style="…"`. One palette here, shared by the walk
 * table and the other tables, keeps them consistent and readable on a light page.
 */
export const S = {
  table: "table-layout:auto;margin:4px 0;border-collapse:collapse;font-family:DejaVu Sans Mono,Menlo,Consolas,monospace;font-size:12px;text-align:left",
  caption: "caption-side:top;text-align:left;font-weight:bold;font-family:DejaVu Sans,Verdana,sans-serif;font-size:13px;padding:4px 0",
  th: "border-bottom:2px solid #888;padding:3px 8px;text-align:left;background:#f4f4f4;white-space:nowrap",
  td: "border-bottom:1px solid #e2e2e2;padding:2px 8px;vertical-align:top;text-align:left",
  section: "background:#eef2f7;font-weight:bold;padding:4px 8px;border-top:1px solid #c8d3e0;text-align:left",
  matched: "color:#1f6f3a",
  missed: "color:#777",
  hidden: "background:repeating-linear-gradient(45deg,#f3f3f3,#f3f3f3 6px,#e6e6e6 6px,#e6e6e6 12px)",
  badge: "display:inline-block;font-size:10px;padding:0 4px;margin-left:6px;border-radius:3px;background:#888;color:#fff;font-family:DejaVu Sans,Verdana,sans-serif",
  nat: "background:#f1ebfb;color:#44337a;font-weight:bold",
  route: "background:#fff7e0;color:#6b4e00",
  ct: "color:#2c5282",
  fateOk: "background:#e3f5e8;color:#1f6f3a;font-weight:bold;font-size:13px",
  fateBad: "background:#fde8e8;color:#9b2c2c;font-weight:bold;font-size:13px",
  changed: "background:#fff3bf;font-weight:bold",
  note: "font-family:DejaVu Sans,Verdana,sans-serif;font-size:12px;color:#555;margin:2px 0",
  code: "white-space:pre-wrap;word-break:break-all",
} as const;
