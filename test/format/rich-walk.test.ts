// The walk as an HTML table, the state and conntrack tables, and the MIME bundle: built from the
// walk's events, the article's SYN row by row, every string from a rule escaped.
import { describe, expect, it } from "vitest";
import { explainLines } from "../../src/format/explain.js";
import { articleSession, rulesSession, run } from "../helpers/session.js";
import { runLine, COMMANDS } from "../../src/lang/commands/index.js";
import type { Display, WalkDisplay } from "../../src/lang/command.js";
import { walkHtml } from "../../src/format/rich/html-walk.js";
import { mimeBundle } from "../../src/format/rich/mime.js";
import { verdictText } from "../../src/format/verdict.js";

const SYN = "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898";

function only<K extends Display["kind"]>(ds: Display[] | undefined, kind: K): Extract<Display, { kind: K }> {
  const d = ds?.filter((x) => x.kind === kind) ?? [];
  expect(d, `one ${kind} display`).toHaveLength(1);
  return d[0] as Extract<Display, { kind: K }>;
}

/** The <tr> elements of an HTML table with a class, as strings. */
function rowsWith(html: string, cls: string): string[] {
  return [...html.matchAll(/<tr class="([^"]*)"[^>]*>(.*?)<\/tr>/g)].filter((m) => m[1]!.split(" ").includes(cls)).map((m) => m[2]!);
}

const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

describe("the article's SYN as an HTML walk table", () => {
  const s = articleSession();
  const r = runLine(s, SYN);
  const w = only(r.display, "walk") as WalkDisplay;
  const html = walkHtml(w);

  it("has one row per rule tested, ✓ for each match and ✗ with the failing clause for each miss", () => {
    const matched = w.events.filter((e) => e.kind === "rule");
    const missed = w.events.filter((e) => e.kind === "nomatch");
    expect(matched.length).toBeGreaterThan(10);
    expect(missed.length).toBeGreaterThan(10);
    const okRows = rowsWith(html, "ktrace-matched");
    const noRows = rowsWith(html, "ktrace-missed");
    expect(okRows).toHaveLength(matched.length);
    expect(noRows).toHaveLength(missed.length);
    okRows.forEach((row, i) => {
      const e = matched[i]!;
      if (e.kind !== "rule") throw new Error("not a rule");
      expect(row).toContain(">✓<");
      expect(text(row)).toContain(`-A ${e.rule.chain} ${e.rule.text}`);
      expect(text(row)).toContain(e.verdict.kind === "RETURN" ? "RETURN" : verdictText(e.verdict));
    });
    noRows.forEach((row, i) => {
      const e = missed[i]!;
      if (e.kind !== "nomatch") throw new Error("not a miss");
      expect(row).toContain(">✗<");
      expect(text(row)).toContain(`✗ ${e.fail.clause} — ${e.fail.why}`);
    });
  });

  it("numbers rules by their place in the chain (KUBE-SERVICES #6 is the podinfo rule)", () => {
    const row = rowsWith(html, "ktrace-matched").find((x) => x.includes("KUBE-SVC-Y4T5L63IYP3YFEBS") && x.includes("KUBE-SERVICES"));
    expect(row).toBeDefined();
    expect(row).toContain(">#6<");
    expect(text(row!)).toContain("KUBE-SVC-Y4T5L63IYP3YFEBS = Service podinfo/frontend-podinfo port http (tcp)");
  });

  it("shades the raw rules that ran before TRACE, and not the TRACE rule or what follows", () => {
    const hidden = rowsWith(html, "ktrace-hidden");
    expect(hidden.length).toBe(w.events.filter((e) => (e.kind === "rule" || e.kind === "nomatch" || e.kind === "policy") && !e.traced).length);
    expect(hidden.length).toBeGreaterThan(0);
    for (const row of hidden) expect(row).toMatch(/<td[^>]*>OUTPUT<\/td><td[^>]*>raw<\/td>/);
    expect(text(hidden[0]!)).toContain('-A OUTPUT -m comment --comment "cali:tVnHkvAo15HuiPy0" -j cali-OUTPUT');
    expect(hidden.join("")).toContain("hidden from the kernel trace");
    const trace = rowsWith(html, "ktrace-matched").find((x) => x.includes("-j TRACE"));
    expect(trace).toBeDefined();
    expect(trace).not.toContain("hidden from the kernel trace");
  });

  it("shows the DNAT and the reroute between the tables, in walk order, and the fate last", () => {
    const nat = rowsWith(html, "ktrace-nat").map(text);
    expect(nat[0]).toMatch(/^OUTPUT DNAT \(new binding\): tcp 192\.168\.1\.88:49058 -> 10\.43\.156\.98:9898 .* ⇒ tcp 192\.168\.1\.88:49058 -> 10\.42\.54\.194:9898/);
    expect(nat[1]).toMatch(/^POSTROUTING SNAT \(new binding\): .* ⇒ tcp 10\.42\.135\.130:\d+ -> 10\.42\.54\.194:9898/);
    const reroute = rowsWith(html, "ktrace-reroute").map(text);
    expect(reroute).toHaveLength(1);
    expect(reroute[0]).toContain("ip route get 10.42.54.194 from 192.168.1.88 mark 0x4000");
    expect(reroute[0]).toContain("dev vxlan.calico");
    const at = (needle: string) => html.indexOf(needle);
    expect(at("ktrace-nat")).toBeLessThan(at("ktrace-reroute"));
    expect(at("ktrace-reroute")).toBeLessThan(at("filter</td>"));
    const fate = rowsWith(html, "ktrace-fate").map(text);
    expect(fate).toEqual([expect.stringMatching(/^✓ FATE: sent out vxlan\.calico via 10\.42\.54\.193 as tcp 10\.42\.135\.130:\d+ -> 10\.42\.54\.194:9898/)]);
    expect(html.lastIndexOf("<tr")).toBe(html.indexOf('<tr class="ktrace-fate"'));
  });

  it("keeps the text exactly what explain mode prints for the same events", () => {
    const again = articleSession();
    again.format = "explain";
    // explain drawn straight from the events with the session's own lookups, not from a display
    const events = again.send(again.packetFromSpec({ proto: "tcp", src: 0xc0a80158, sport: 49058, dst: 0x0a2b9c62, dport: 9898 }), "ref").result.events;
    const ref = explainLines(events, { now: again.engine.now, numberOf: (t, c, h) => again.ruleNumbers.of(t, c, h), decode: (c) => again.names.decode(c), tracing: again.hasTraceRule })
      .map((l) => l.text)
      .join("\n");
    expect(r.text).toBe(ref);
  });
});

describe("escaping", () => {
  const rules = [
    "*filter",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    `-A OUTPUT -p udp -m comment --comment "<script>x</script> & 'q'" -j ACCEPT`,
    `-A OUTPUT -p tcp -m comment --comment "a<b>&amp;c 'q'" -j ACCEPT`,
    "COMMIT",
    "",
  ].join("\n");

  it("escapes rule comments in the walk table and the chain table", () => {
    const s = rulesSession(rules);
    const r = runLine(s, "send tcp 192.168.1.88:1000 -> 192.168.1.20:80");
    expect(r.error).toBeUndefined();
    const html = mimeBundle(r)["text/html"]!;
    // (iptables-save writes the quotes as \')
    expect(html).toContain("&lt;script&gt;x&lt;/script&gt; &amp; \\&#39;q\\&#39;");
    expect(html).toContain("a&lt;b&gt;&amp;amp;c \\&#39;q\\&#39;");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<b>&amp;");
    const chain = mimeBundle(runLine(s, "show chain filter OUTPUT"))["text/html"]!;
    expect(chain).toContain("&lt;script&gt;");
    expect(chain).not.toContain("<script");
  });
});

describe("state, conntrack and the MIME bundle", () => {
  it("show state: the packet after each table, what NAT changed highlighted", () => {
    const s = articleSession();
    run(s, SYN);
    const r = runLine(s, "show state");
    const d = only(r.display, "state");
    expect(d.rows.map((x) => x.label)).toEqual(["as sent", "after raw OUTPUT", "after mangle OUTPUT", "after nat OUTPUT", "after filter OUTPUT", "after mangle POSTROUTING", "after nat POSTROUTING"]);
    expect(d.rows[0]!.dst).toBe("10.43.156.98");
    expect(d.rows[3]!.dst).toBe("10.42.54.194");
    expect(d.rows[3]!.mark).toBe(0x4000);
    expect(d.rows[6]!.src).toBe("10.42.135.130");
    const html = mimeBundle(r)["text/html"]!;
    const changed = [...html.matchAll(/class="ktrace-changed">([^<]*)</g)].map((m) => m[1]);
    expect(changed).toContain("10.42.54.194");
    expect(changed).toContain("10.42.135.130");
    expect(changed).toContain("0x4000");
    expect(changed).not.toContain("9898");
  });

  it("where: the cursor's hook, table, chain and rule as a table, the same as the stepper's position", () => {
    const s = articleSession();
    s.stepByStep = true;
    run(s, SYN, "step 3");
    const d = only(runLine(s, "where").display, "table");
    const p = s.stepper!.position();
    expect(p.ruleIndex).toBeDefined();
    const rows = Object.fromEntries(d.rows.map(([k, v]) => [k, v]));
    expect(rows).toMatchObject({ hook: p.hook, table: p.table, chain: p.chain, rule: `#${p.ruleIndex}` });
    expect(rows.hook).toBe("OUTPUT");
    expect(rows["jump stack"]).toBe(p.stack.join(" → "));
    run(s, "continue");
    const end = only(runLine(s, "where").display, "table");
    expect(end.rows[0]).toEqual(["position", "at its fate: sent out vxlan.calico via 10.42.54.193"]);
  });

  it("show conntrack: both tuples side by side, DNAT+SNAT", () => {
    const s = articleSession();
    run(s, SYN);
    const r = runLine(s, "show conntrack");
    const d = only(r.display, "conntrack");
    expect(d.entries).toHaveLength(1);
    const html = mimeBundle(r)["text/html"]!;
    expect(html).toContain("192.168.1.88:49058 → 10.43.156.98:9898");
    expect(html).toMatch(/10\.42\.54\.194:9898 → 10\.42\.135\.130:\d+/);
    expect(html).toContain("DNAT+SNAT");
  });

  it("text/plain is always the command's text; HTML only where there is display data", () => {
    const s = articleSession();
    for (const line of ["help", SYN, "show conntrack", "where", "show routes", "diagram", "route get 10.42.54.194"]) {
      const r = runLine(s, line);
      const b = mimeBundle(r);
      expect(b["text/plain"], line).toBe(r.text);
      expect("text/html" in b, line).toBe((r.display?.length ?? 0) > 0);
    }
    expect(mimeBundle(runLine(s, "diagram"))["image/svg+xml"]).toMatch(/^<svg /);
    expect(mimeBundle(runLine(s, "show conntrack"))["image/svg+xml"]).toBeUndefined();
  });

  it("no walk table for the kernel's own format: its text is another answer", () => {
    const s = articleSession();
    run(s, "format xtables-monitor");
    expect(runLine(s, SYN).display).toBeUndefined();
  });
});

describe("stepping in a notebook: the walk table says what the text says around it", () => {
  it("the first step, each move with where the cursor rests, a breakpoint that fired", () => {
    const s = articleSession();
    s.stepByStep = true;
    const first = runLine(s, SYN);
    const w0 = only(first.display, "walk");
    expect(w0.before).toEqual([first.text.split("\n")[0]]);
    expect(w0.before![0]).toMatch(/^▶ tcp 192\.168\.1\.88:49058 -> 10\.43\.156\.98:9898 SYN len 60 \(generated on the node\)/);
    const html0 = mimeBundle(first)["text/html"]!;
    expect(html0.indexOf("ktrace-said")).toBeLessThan(html0.indexOf("<table"));

    const n = runLine(s, "next");
    const w1 = only(n.display, "walk");
    expect(w1.events).toEqual(n.events);
    const at = n.text.split("\n").pop()!;
    expect(at).toMatch(/^ {2}@ OUTPUT ▸ raw ▸ /);
    expect(w1.after).toEqual([at]);
    const html1 = mimeBundle(n)["text/html"]!;
    expect(html1.lastIndexOf("ktrace-said")).toBeGreaterThan(html1.lastIndexOf("</table>"));

    run(s, "break chain KUBE-SVC-Y4T5L63IYP3YFEBS");
    const c = runLine(s, "continue");
    expect(c.text.split("\n")[0]).toBe("breakpoint 1: chain KUBE-SVC-Y4T5L63IYP3YFEBS");
    expect(only(c.display, "walk").before).toEqual(["breakpoint 1: chain KUBE-SVC-Y4T5L63IYP3YFEBS"]);
    expect(mimeBundle(c)["text/html"]).toContain("breakpoint 1: chain KUBE-SVC-Y4T5L63IYP3YFEBS");

    run(s, "continue");
    // at the fate a step moves nothing: no table, only where the cursor rests
    const atFate = runLine(s, "step");
    expect(only(atFate.display, "walk").events).toEqual([]);
    const htmlFate = mimeBundle(atFate)["text/html"]!;
    expect(htmlFate).not.toContain("<table");
    expect(htmlFate).toContain("at the packet&#39;s fate");
  });
});

describe("connect", () => {
  it("one walk table per packet of the connection, captioned with that packet, the text unchanged", () => {
    const s = articleSession();
    const r = runLine(s, "connect tcp 192.168.1.88:49058 -> 10.43.156.98:9898 payload 81");
    const walks = (r.display ?? []).filter((d): d is WalkDisplay => d.kind === "walk");
    const sent = s.sent.slice(-walks.length);
    expect(walks.length).toBe(9);
    expect(s.sent).toHaveLength(9);
    walks.forEach((w, i) => {
      expect(w.input).toBe(sent[i]!.input);
      expect(w.events).toBe(sent[i]!.result.events);
    });
    expect(walks.flatMap((w) => w.events)).toEqual(r.events);
    const html = mimeBundle(r)["text/html"]!;
    expect(html.match(/<table class="ktrace-walk"/g)).toHaveLength(9);
    expect(html).toContain("tcp 10.42.54.194:9898 -&gt; 10.42.135.130:");
    expect(html.match(/class="ktrace-fate"/g)).toHaveLength(9);
  });
});

describe("small tables", () => {
  it("help lists every command with its summary; breaks and show rule as tables", () => {
    const s = articleSession();
    const help = only(runLine(s, "help").display, "table");
    expect(help.rows).toEqual(COMMANDS.map((c) => [c.name, c.summary]));
    expect(runLine(s, "breaks").display).toBeUndefined();
    run(s, "break chain KUBE-SVC-Y4T5L63IYP3YFEBS", "break verdict DROP");
    expect(only(runLine(s, "breaks").display, "table").rows).toEqual([["1", "chain KUBE-SVC-Y4T5L63IYP3YFEBS"], ["2", "verdict DROP"]]);
    s.stepByStep = true;
    run(s, SYN, "step 2");
    const rule = Object.fromEntries(only(runLine(s, "show rule").display, "table").rows.map(([k, v]) => [k, v]));
    expect(rule["the rule"]).toBe('-A cali-OUTPUT -m comment --comment "cali:njdnLwYeGqBJyMxW" -j MARK --set-xmark 0x0/0xf0000');
    expect(rule.result).toBe("matched → CONTINUE");
    expect(rule.table).toBe("raw");
  });
});
