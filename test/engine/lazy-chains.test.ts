// A loaded chain builds its rules the first time something reads them (LoadedChain). What it
// answers before that — the chains its rules jump to, the extensions they use, the hosts they
// name, how many there are, their highest handle — must be what its built rules say; a restore file's edits (-I, -D,
// -F, address lists, counters, pinned handles) must give the rules an eager load gave; and a walk
// must build only the chains it reads.
import { describe, expect, it } from "vitest";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { saveRuleset } from "../../src/engine/save/save.js";
import { LoadedChain, chainModules, destinationHosts, highestHandle, jumpTargets, ruleCount } from "../../src/engine/model/loaded-chain.js";
import { ARTICLE_RULES } from "../../src/sources/canned/article-rules.js";
import { generateFromYaml } from "../../src/sources/k8s/index.js";
import { articleSession, rulesSession, run } from "../helpers/session.js";
import { applyNftHandles } from "../../src/sources/nft-handles.js";
import type { Ruleset } from "../../src/engine/model/ruleset.js";

// two Services, one a NodePort with a named and an unnamed port, three endpoints
const CLUSTER = `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: 10.43.0.20
  type: NodePort
  ports: [{name: http, port: 80, nodePort: 30080}, {port: 53, protocol: UDP}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: [{addresses: [10.42.0.5]}, {addresses: [10.42.1.6]}]
ports: [{name: http, port: 8080, protocol: TCP}, {name: "", port: 5353, protocol: UDP}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: 10.43.0.30
  ports: [{port: 5432}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: db-a, namespace: shop, labels: {kubernetes.io/service-name: db}}
addressType: IPv4
endpoints: [{addresses: [10.42.2.7]}]
ports: [{port: 5432, protocol: TCP}]
`;

function lazyChains(rs: Ruleset): string[] {
  const out: string[] = [];
  for (const t of rs.tables.values()) for (const c of t.chains.values()) if (c instanceof LoadedChain && c.lazy) out.push(`${t.name} ${c.name}`);
  return out;
}

describe("chains built when read", () => {
  for (const [label, text] of [
    ["the article's node", ARTICLE_RULES],
    ["a generated kube-proxy node", generateFromYaml(CLUSTER, "shop.yaml").rules],
  ] as const)
    it(`answer what their rules jump to, use, name and number before they are built (${label})`, () => {
      const rs = parseRuleset(text, { file: label });
      const chains = [...rs.tables.values()].flatMap((t) => [...t.chains.values()]);
      const before = chains.map((c) => ({ lazy: c instanceof LoadedChain && c.lazy, jumps: [...jumpTargets(c)].sort(), modules: new Set(chainModules(c)), hosts: new Set(destinationHosts(c)), count: ruleCount(c), highest: highestHandle(c) }));
      expect(before.filter((b) => b.lazy).length).toBeGreaterThan(chains.length / 2);
      expect(before.some((b) => b.lazy && b.jumps.length > 0 && b.modules.size > 0)).toBe(true);
      chains.forEach((c, i) => {
        const rules = c.rules; // builds it
        expect(c instanceof LoadedChain && c.lazy).toBe(false);
        const jumps = rules.flatMap((r) => (r.target?.kind === "jump" || r.target?.kind === "goto" ? [r.target.chain] : [])).sort();
        const modules = new Set(rules.flatMap((r) => [...r.matches.map((m) => m.module), ...(r.target?.kind === "ext" ? [r.target.module] : [])]));
        const hosts = new Set(rules.flatMap((r) => (r.dst && r.dst.value.prefix === 32 ? [r.dst.value.addr] : [])));
        const highest = Math.max(c.handle, ...rules.map((r) => r.handle));
        expect(before[i], c.name).toEqual({ lazy: before[i]!.lazy, jumps, modules, hosts, count: rules.length, highest });
      });
      // built or not, the ruleset saves back to the file it came from
      expect(saveRuleset(parseRuleset(text, { file: label }))).toBe(saveRuleset(rs));
    });

  it("build the same rules whichever chain is read first", () => {
    for (const text of [ARTICLE_RULES, generateFromYaml(CLUSTER, "shop.yaml").rules]) {
      const forward = parseRuleset(text, { file: "f" });
      const backward = parseRuleset(text, { file: "f" });
      const chainsOf = (rs: Ruleset) => [...rs.tables.values()].flatMap((t) => [...t.chains.values()]);
      for (const c of chainsOf(backward).reverse()) void c.rules;
      expect(JSON.stringify(chainsOf(backward))).toBe(JSON.stringify(chainsOf(forward)));
    }
  });

  it("give the rules a restore file's edits made: -D, -I, address lists, counters and a pinned handle", () => {
    const text = [
      "*filter",
      ":INPUT ACCEPT [0:0]",
      ":A - [0:0]",
      ":B - [0:0]",
      "-A A -s 1.1.1.1/32 -j ACCEPT",
      "-A A -s 1.1.1.2/32 -j ACCEPT",
      "-D A -s 1.1.1.2/32 -j ACCEPT", // reads A: its later rules are built as they come
      "-A A -s 1.1.1.3/32,1.1.1.4/32 -j B",
      "-I A 2 -d 2.2.2.2/32 -j DROP",
      "-A B -s 1.1.1.5/32,1.1.1.6/32 -j ACCEPT", // B stays lines: -I splices them
      "-I B 2 -d 2.2.2.3/32 -j DROP",
      "-I B -p tcp -j RETURN",
      "# ktrace:handle 99",
      "[5:60] -A B -j ACCEPT",
      "-A INPUT -j A",
      "COMMIT",
      "",
    ].join("\n");
    const rs = parseRuleset(text, { file: "edits.rules" });
    const filter = rs.tables.get("filter")!;
    expect(lazyChains(rs)).toEqual(["filter INPUT", "filter B"]);
    expect(ruleCount(filter.chains.get("B")!)).toBe(5);
    const listed = (name: string) => filter.chains.get(name)!.rules.map((r) => `${r.handle} ${r.origin.line} ${r.text}${r.counters ? ` ${r.counters.join(":")}` : ""}`);
    expect(listed("A")).toEqual(["4 5 -s 1.1.1.1/32 -j ACCEPT", "8 9 -d 2.2.2.2/32 -j DROP", "6 8 -s 1.1.1.3/32 -j B", "7 8 -s 1.1.1.4/32 -j B"]);
    expect(listed("B")).toEqual(["12 12 -p tcp -j RETURN", "9 10 -s 1.1.1.5/32 -j ACCEPT", "11 11 -d 2.2.2.3/32 -j DROP", "10 10 -s 1.1.1.6/32 -j ACCEPT", "99 14 -j ACCEPT 5:60"]);
    expect(listed("INPUT")).toEqual(["13 15 -j A"]);
    // every jump to a chain is one shared object, with the chain's own name
    const toB = filter.chains.get("A")!.rules.slice(2).map((r) => r.target);
    expect(toB[0]).toBe(toB[1]);
    expect(JSON.parse(JSON.stringify(filter.chains.get("B"))).rules).toHaveLength(5);
  });

  it("follow a jump to a chain the file declares later, and refuse one to a chain it never declares", () => {
    const file = (tail: string) => ["*filter", ":INPUT ACCEPT [0:0]", ":A - [0:0]", "-A A -s 1.1.1.1/32 -j LATER", "-A A -j A2", tail, "-A INPUT -j A", "COMMIT", ""].join("\n");
    const rs = parseRuleset(file("-N LATER\n-N A2\n-A A2 -j LATER"), { file: "later.rules" });
    const filter = rs.tables.get("filter")!;
    const a = filter.chains.get("A")!;
    expect(jumpTargets(a)).toEqual(["LATER", "A2"]);
    expect(jumpTargets(a)[0]).toBe(filter.chains.get("LATER")!.name);
    expect(a.rules.map((r) => r.text)).toEqual(["-s 1.1.1.1/32 -j LATER", "-j A2"]);
    expect(() => parseRuleset(file("-N A2"), { file: "later.rules" })).toThrow(/later\.rules:4:.*Chain 'LATER' does not exist/);
  });

  it("build only the chains a walk reads", () => {
    const s = articleSession();
    const rs = s.engine.ruleset;
    const endpoints = (lazy: string[]) => lazy.filter((c) => c.startsWith("nat KUBE-SEP-"));
    const before = lazyChains(rs);
    expect(endpoints(before).length).toBeGreaterThan(4);
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    const after = lazyChains(rs);
    const built = before.filter((c) => !after.includes(c));
    // podinfo's KUBE-SVC and the one KUBE-SEP chain its DNAT chose; every other endpoint stays lines
    expect(built).toContain("nat KUBE-SVC-Y4T5L63IYP3YFEBS");
    expect(endpoints(built)).toHaveLength(1);
    expect(endpoints(after).length).toBe(endpoints(before).length - 1);
  });

  it("stay lines while the iptables command adds, lists and refuses to delete around them", () => {
    const s = rulesSession(generateFromYaml(CLUSTER, "shop.yaml").rules);
    const rs = s.engine.ruleset;
    const before = lazyChains(rs).filter((c) => c.startsWith("nat KUBE-SEP-"));
    expect(before.length).toBe(5);
    const out = run(s, "iptables -t nat -A KUBE-MARK-MASQ -j RETURN", "iptables -t nat -L KUBE-MARK-MASQ");
    expect(() => run(s, "iptables -t nat -X KUBE-MARK-MASQ")).toThrow(/Device or resource busy/);
    expect(lazyChains(rs).filter((c) => c.startsWith("nat KUBE-SEP-"))).toEqual(before);
    // the new rule's handle is the table's next one, worked out from the unbuilt chains' handles too
    const nat = rs.tables.get("nat")!;
    const handles = [...nat.chains.values()].flatMap((c) => [c.handle, ...c.rules.map((r) => r.handle)]);
    expect(out).toMatch(/references\)/);
    expect(Math.max(...handles)).toBe(nat.chains.get("KUBE-MARK-MASQ")!.rules.at(-1)!.handle);
  });

  it("take a live node's handles from nft -a without being built", () => {
    const rs = parseRuleset(["*filter", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":A - [0:0]", "-A INPUT -j A", "-A A -s 1.1.1.1/32 -j ACCEPT", "-A A -s 1.1.1.2/32 -j DROP", "COMMIT", ""].join("\n"), { file: "live" });
    const nft = ["table ip filter { # handle 3", "\tchain INPUT { # handle 1", "\t\ttype filter hook input priority filter; policy accept;", "\t\tcounter packets 0 bytes 0 jump A # handle 40", "\t}", "\tchain A { # handle 9", "\t\tip saddr 1.1.1.1 counter packets 0 bytes 0 accept # handle 41", "\t\tip saddr 1.1.1.2 counter packets 0 bytes 0 drop # handle 17", "\t}", "}", ""].join("\n");
    expect(applyNftHandles(rs, nft)).toBe(3);
    const filter = rs.tables.get("filter")!;
    expect(lazyChains(rs)).toEqual(["filter INPUT", "filter A"]);
    expect(highestHandle(filter.chains.get("A")!)).toBe(41);
    expect(filter.chains.get("A")!.rules.map((r) => r.handle)).toEqual([41, 17]);
    expect(filter.chains.get("INPUT")!.rules.map((r) => r.handle)).toEqual([40]);
    // iptables-nft never created OUTPUT: nft does not list it, and it has no rules
    expect(filter.chains.has("OUTPUT")).toBe(false);
  });
});
