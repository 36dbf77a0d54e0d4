/**
 * The other tables as HTML: the state of the packet after each table (the article's "State of
 * the Packet", what changed highlighted), the conntrack table (both tuples side by side, so the
 * NAT reads off the row), and any generic table (a chain listing, routes, a route lookup).
 *
 * Why: in a notebook these read better as tables than as aligned text; they are built from the
 * command's typed data, every string escaped.
 */
import type { ConntrackDisplay, StateDisplay, StateRow, TableDisplay } from "../../lang/command.js";
import { formatIp } from "../../engine/model/ipv4.js";
import { CT_STATUS, hasStatus, statusNames, type CtTuple } from "../../engine/conntrack/entry.js";
import { esc } from "./escape.js";
import { S } from "./html-style.js";

function table(cls: string, caption: string, columns: string[], body: string[], notes: string[] = []): string {
  const head = `<tr>${columns.map((c) => `<th style="${S.th}">${esc(c)}</th>`).join("")}</tr>`;
  const cap = caption ? `<caption style="${S.caption}">${esc(caption)}</caption>` : "";
  const after = notes.map((n) => `<div style="${S.note}">${esc(n)}</div>`).join("");
  return `<table class="${cls}" style="${S.table}">${cap}<thead>${head}</thead><tbody>${body.join("")}</tbody></table>${after}`;
}

const STATE_FIELDS: [string, (r: StateRow) => string][] = [
  ["source IP", (r) => r.src],
  ["source port", (r) => (r.sport === undefined ? "" : String(r.sport))],
  ["destination IP", (r) => r.dst],
  ["destination port", (r) => (r.dport === undefined ? "" : String(r.dport))],
  ["output interface", (r) => r.outIf ?? (r.hook === "INPUT" ? "none: for the node itself" : "not routed yet")],
  ["mark", (r) => (r.mark ? `0x${r.mark.toString(16)}` : "none")],
];

export function stateHtml(d: StateDisplay): string {
  const body = d.rows.map((r, i) => {
    const prev = d.rows[i - 1];
    const cells = STATE_FIELDS.map(([, get]) => {
      const v = get(r);
      const changed = prev !== undefined && get(prev) !== v;
      return `<td style="${S.td}${changed ? `;${S.changed}` : ""}"${changed ? ` class="ktrace-changed"` : ""}>${esc(v)}</td>`;
    });
    return `<tr><td style="${S.td};font-weight:bold;white-space:nowrap">${esc(r.label)}</td>${cells.join("")}</tr>`;
  });
  return table("ktrace-state", "state of the packet", ["", ...STATE_FIELDS.map(([n]) => n)], body, d.notes);
}

function tuple(t: CtTuple): string {
  return t.proto === "icmp" ? `${formatIp(t.src)} → ${formatIp(t.dst)} (type ${t.dport}, id ${t.sport})` : `${formatIp(t.src)}:${t.sport} → ${formatIp(t.dst)}:${t.dport}`;
}

export function conntrackHtml(d: ConntrackDisplay): string {
  const body = d.entries.map((e) => {
    const left = Math.max(0, Math.round(e.timeout - (d.now - e.updated) / 1000));
    const nat = [hasStatus(e, CT_STATUS.DST_NAT) ? "DNAT" : "", hasStatus(e, CT_STATUS.SRC_NAT) ? "SNAT" : ""].filter(Boolean).join("+");
    const cells = [String(e.id), e.orig.proto, e.protoState || "", `${left}s`, tuple(e.orig), tuple(e.reply), nat, statusNames(e.status).join(" "), String(e.mark)];
    return `<tr>${cells.map((c) => `<td style="${S.td};white-space:nowrap">${esc(c)}</td>`).join("")}</tr>`;
  });
  const notes = [
    ...(d.entries.length ? ["original: the packet as its sender sent it; reply: what the answer must look like — where they differ, the connection is NATed"] : ["the conntrack table is empty"]),
    ...(d.note ? [d.note] : []),
  ];
  return table("ktrace-conntrack", `conntrack table (${d.entries.length} ${d.entries.length === 1 ? "entry" : "entries"})`, ["#", "proto", "state", "expires in", "original", "reply", "NAT", "status", "mark"], body, notes);
}

export function tableHtml(d: TableDisplay): string {
  const body = d.rows.map((r, i) => {
    const cls = d.rowClasses?.[i];
    return `<tr${cls ? ` class="${esc(cls)}"` : ""}>${r.map((c) => `<td style="${S.td};${S.code}">${esc(c)}</td>`).join("")}</tr>`;
  });
  return table("ktrace-table", d.title, d.columns, body);
}
