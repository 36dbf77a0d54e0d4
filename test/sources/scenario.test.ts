// Scenario files (docs/scenarios.md): every field read into the node and ruleset, every mistake
// reported at its file:line:column with the field path, relative paths, the shipped scenarios
// (article.yaml ≡ --canned article byte for byte), and the docs' own example loading and routing
// as its routes say.
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Session } from "../../src/lang/session.js";
import { completeLine, runLine } from "../../src/lang/commands/index.js";
import { loadCanned } from "../../src/sources/load.js";
import { loadScenario, loadScenarioText, shippedScenarioNames } from "../../src/sources/scenario.js";
import { nodeIo } from "../../src/sources/io.js";
import { saveRuleset } from "../../src/engine/save/save.js";
import { saveIpsets } from "../../src/engine/model/ipset.js";
import { formatCidr, formatIp, inCidr, parseCidr, parseIp } from "../../src/engine/model/ipv4.js";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";

function run(s: Session, ...lines: string[]): string {
  return lines
    .map((l) => {
      const r = runLine(s, l);
      if (r.error) throw new Error(`${l}: ${r.error}`);
      return r.text;
    })
    .join("\n");
}

/** Loads scenario text as the file `t.yaml` in a fresh directory (with extra files beside it). */
function load(text: string, files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "ktrace-scenario-"));
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return loadScenarioText(nodeIo, text, "t.yaml", dir);
}

function errorOf(text: string, files: Record<string, string> = {}): string {
  try {
    load(text, files);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("the scenario loaded, but an error was expected");
}

const ETH0 = `title: t
node:
  interfaces:
    - {name: eth0, addresses: [10.0.0.2/24]}
`;

describe("shipped scenarios", () => {
  it("are found by name, and completion lists them", () => {
    expect(shippedScenarioNames()).toEqual(expect.arrayContaining(["article", "services", "flannel-node"]));
    const s = new Session(loadCanned("article"), nodeIo, 1);
    expect(completeLine(s, "load scenario s")).toEqual(["services"]);
    expect(completeLine(s, "load scen")).toEqual(["scenario"]);
    expect(runLine(s, "load scenario nope").error).toMatch(/no shipped scenario "nope" \(shipped: .*services/);
  });

  it("article.yaml is the canned article, byte for byte", () => {
    const canned = loadCanned("article");
    const file = loadScenario(nodeIo, "article");
    const cmds = ["format xtables-monitor", "connect tcp 192.168.1.88:49058 -> 10.43.156.98:9898 payload 81"];
    for (const seed of [1, 71508]) {
      const a = run(new Session(canned, nodeIo, seed), ...cmds);
      const b = run(new Session(file, nodeIo, seed), ...cmds);
      expect(a.split("\n").length).toBeGreaterThan(20);
      expect(b).toBe(a);
    }
    expect(file.title).toBe(canned.title);
    expect(file.hint).toBe(canned.hint);
    expect(saveRuleset(file.ruleset)).toBe(saveRuleset(canned.ruleset));
    expect(saveIpsets(file.node.ipsets)).toBe(saveIpsets(canned.node.ipsets));
    const { routes: r1, ipsets: _i1, ...n1 } = file.node;
    const { routes: r2, ipsets: _i2, ...n2 } = canned.node;
    expect(n1).toEqual(n2);
    const key = (r: object) => JSON.stringify(r, Object.keys(r).sort());
    expect(r1.map(key).sort()).toEqual(r2.map(key).sort());
  });

  it("services.yaml: NodePort Cluster and Local, ClientIP affinity, no endpoints", () => {
    const s = new Session(loadScenario(nodeIo, "services"), nodeIo, 1);
    const last = () => s.sent[s.sent.length - 1]!.result;
    const client = parseIp("192.168.1.20")!;
    const localPods = s.source.node.routes.filter((r) => r.dev?.startsWith("cali") && r.dst.prefix === 32).map((r) => r.dst.addr);
    // Local: only this node's endpoint, the client's address kept
    for (let port = 50000; port < 50010; port++) {
      run(s, `send tcp 192.168.1.20:${port} -> 192.168.1.88:30081 in enp3s0`);
      expect(last().fate.kind).toBe("sent");
      expect(localPods).toContain(last().pkt.dst);
      expect(last().pkt.src).toBe(client);
    }
    // Cluster: both endpoints over the seeds, the source always masqueraded
    const dsts = new Set<number>();
    for (let port = 50000; port < 50030; port++) {
      run(s, `send tcp 192.168.1.20:${port} -> 192.168.1.88:30080 in enp3s0`);
      expect(last().fate.kind).toBe("sent");
      expect(last().pkt.src).not.toBe(client);
      dsts.add(last().pkt.dst);
    }
    expect(dsts.size).toBe(2);
    expect([...dsts].some((d) => localPods.includes(d))).toBe(true);
    // Local with no endpoint here: dropped
    run(s, "send tcp 192.168.1.20:50000 -> 192.168.1.88:30082 in enp3s0");
    expect(last().fate.kind).toBe("dropped");
    // ClientIP affinity: one client keeps its endpoint
    const first = new Set<number>();
    for (let port = 40000; port < 40020; port++) {
      run(s, `send tcp 10.42.135.131:${port} -> 10.43.10.30:8080 in cali5c2e8d1a0b7`);
      first.add(last().pkt.dst);
    }
    expect(first.size).toBe(1);
    // no endpoints: REJECT
    run(s, "send tcp 10.42.135.131:40000 -> 10.43.10.40:80 in cali5c2e8d1a0b7");
    expect(last().fate).toMatchObject({ kind: "rejected" });
    // the article's own Service still works
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    expect(last().fate.kind).toBe("sent");
  });

  it("flannel-node.yaml: its own interfaces, routes, sysctls and sockets", () => {
    const src = loadScenario(nodeIo, "flannel-node");
    const text = readFileSync(new URL("../../scenarios/flannel-node.yaml", import.meta.url), "utf8");
    expect(src.node.interfaces.map((i) => i.name)).toEqual(["lo", "eth0", "flannel.1", "cni0"]);
    expect(src.node.sysctl["net.ipv4.conf.all.rp_filter"]).toBe("1");
    expect(src.warnings).toEqual([]);
    const s = new Session(src, nodeIo, src.seed ?? 1);
    // every route the file lists with a gateway is the one route get answers with
    for (const m of text.matchAll(/^\s+- ([\d.]+\/\d+) via ([\d.]+) dev (\S+)/gm)) {
      const c = parseCidr(m[1]!)!;
      expect(run(s, `route get ${formatIp(c.addr + 7)}`)).toContain(`via ${m[2]} dev ${m[3]}`);
    }
    // a listening port is delivered, a closed one answered with a reset
    run(s, "send tcp 10.0.0.50:41000 -> 10.0.0.12:22 in eth0");
    expect(s.sent.at(-1)!.result.fate).toMatchObject({ kind: "delivered" });
    expect(run(s, "send tcp 10.0.0.50:41000 -> 10.0.0.12:2222 in eth0")).toMatch(/RST/);
    expect(saveRuleset(src.ruleset)).toMatch(/FLANNEL-POSTRTG/);
  });
});

describe("every field", () => {
  const full = `# a comment
title: "lab node"
description: |
  two lines
  of description
hint: "send tcp 10.0.0.9:1000 -> 10.0.0.2:22 in eth0"
seed: 42
node:
  hostname: lab-1
  interfaces:
    - name: eth0
      mac: "52:54:00:AA:bb:cc"
      addresses: ["10.0.0.2/24", "10.0.0.3/32 scope link"]
      mtu: 9000
    - name: eth1
      index: 7
      up: false
      addresses: [192.168.9.1/30]
    - {name: dummy0}
  routes:
    - default via 10.0.0.1 dev eth0 proto dhcp metric 100
    - 172.16.0.0/12 via 10.0.0.254
    - blackhole 10.99.0.0/16
    - unreachable 10.98.0.0/16 table 100
    - 10.50.0.0/16 via 192.168.9.2 dev eth1 onlink src 10.0.0.2
    - 10.60.0.0/16 dev eth0 table 200 scope global
  rules:
    - "100: from 10.0.0.0/24 fwmark 0x1/0xff lookup 100"
    - priority 200 not to 10.60.0.0/16 iif eth1 lookup 200
    - pref 300 oif eth0 goto 400
    - "400: from 172.31.0.0/16 blackhole"
    - "32766: from all lookup main"
  sysctls:
    net.ipv4.ip_forward: 1
    net.ipv4.conf.eth0.rp_filter: 2
    net.netfilter.nf_conntrack_tcp_loose: "0"
  listening: ["tcp 0.0.0.0:22", "udp *:53", "tcp 10.0.0.2:8080"]
ipsets: |
  create nets hash:net family inet hashsize 1024 maxelem 65536
  add nets 10.0.0.0/8
rules: |
  *filter
  :INPUT ACCEPT [0:0]
  :FORWARD ACCEPT [0:0]
  :OUTPUT ACCEPT [0:0]
  -A INPUT -m set --match-set nets src -p tcp -m tcp --dport 22 -j ACCEPT
  -A INPUT -p tcp -j DROP
  COMMIT
`;

  it("reads top-level fields", () => {
    const src = load(full);
    expect(src.kind).toBe("scenario");
    expect(src.title).toBe("lab node");
    expect(src.description).toBe("two lines\nof description");
    expect(src.hint).toBe("send tcp 10.0.0.9:1000 -> 10.0.0.2:22 in eth0");
    expect(src.seed).toBe(42);
    expect(src.node.hostname).toBe("lab-1");
  });

  it("reads interfaces and addresses, with defaults", () => {
    const [lo, eth0, eth1, dummy] = load(full).node.interfaces;
    expect(lo).toMatchObject({ name: "lo", index: 1, mtu: 65536, addrs: [{ ip: parseIp("127.0.0.1"), prefix: 8, scope: "host" }] });
    expect(eth0).toMatchObject({ name: "eth0", index: 2, mac: "52:54:00:aa:bb:cc", mtu: 9000, up: true });
    expect(eth0!.addrs).toEqual([
      { ip: parseIp("10.0.0.2"), prefix: 24, scope: "global", broadcast: parseIp("10.0.0.255") },
      { ip: parseIp("10.0.0.3"), prefix: 32, scope: "link" },
    ]);
    expect(eth1).toMatchObject({ name: "eth1", index: 7, up: false, mtu: 1500, addrs: [{ ip: parseIp("192.168.9.1"), prefix: 30, broadcast: parseIp("192.168.9.3") }] });
    expect(dummy).toMatchObject({ name: "dummy0", index: 8, mac: "02:00:00:00:00:08", addrs: [] });
  });

  it("reads routes in ip route words and adds the kernel's own", () => {
    const routes = load(full).node.routes;
    const find = (dst: string, table = 254) => routes.filter((r) => formatCidr(r.dst) === dst && r.table === table);
    expect(find("0.0.0.0/0")).toEqual([{ table: 254, type: "unicast", dst: parseCidr("0.0.0.0/0"), via: parseIp("10.0.0.1"), dev: "eth0", proto: "dhcp", scope: "universe", metric: 100, onlink: false }]);
    expect(find("172.16.0.0/12")[0]).toMatchObject({ via: parseIp("10.0.0.254"), dev: "eth0", scope: "universe" }); // dev found from the gateway's subnet
    expect(find("10.99.0.0/16")[0]).toMatchObject({ type: "blackhole", scope: "universe" });
    expect(find("10.98.0.0/16", 100)[0]).toMatchObject({ type: "unreachable" });
    expect(find("10.50.0.0/16")[0]).toMatchObject({ onlink: true, src: parseIp("10.0.0.2"), dev: "eth1" });
    expect(find("10.60.0.0/16", 200)[0]).toMatchObject({ scope: "universe", dev: "eth0" });
    // what the kernel adds for 10.0.0.2/24: local, broadcast and the connected route
    expect(find("10.0.0.2/32", 255)[0]).toMatchObject({ type: "local", dev: "eth0", scope: "host" });
    expect(find("10.0.0.255/32", 255)[0]).toMatchObject({ type: "broadcast", dev: "eth0" });
    expect(find("10.0.0.0/24")[0]).toMatchObject({ dev: "eth0", scope: "link", src: parseIp("10.0.0.2"), proto: "kernel" });
    expect(find("192.168.9.0/30")[0]).toMatchObject({ dev: "eth1" });
    expect(find("127.0.0.0/8", 255)).toHaveLength(1);
  });

  it("reads policy rules and keeps the kernel's defaults it does not replace", () => {
    const rules = load(full).node.rules;
    expect(rules.map((r) => r.priority)).toEqual([0, 100, 200, 300, 400, 32766, 32767]);
    expect(rules[1]).toMatchObject({ from: parseCidr("10.0.0.0/24"), fwmark: 1, fwmask: 0xff, table: 100, action: "lookup" });
    expect(rules[2]).toMatchObject({ not: true, to: parseCidr("10.60.0.0/16"), iif: "eth1", table: 200 });
    expect(rules[3]).toMatchObject({ oif: "eth0", action: "goto", gotoPriority: 400 });
    expect(rules[4]).toMatchObject({ action: "blackhole" });
    expect(rules[5]).toMatchObject({ table: 254, action: "lookup" });
    expect(load(ETH0).node.rules.map((r) => [r.priority, r.table])).toEqual([[0, 255], [32766, 254], [32767, 253]]);
  });

  it("policy rules route as written", () => {
    const s = new Session(load(full), nodeIo, 1);
    // 100: from 10.0.0.0/24 with mark 1 looks up table 100, where 10.98/16 is unreachable
    expect(run(s, "route get 10.98.1.1 from 10.0.0.9 iif eth0 mark 1")).toBe("RTNETLINK answers: No route to host");
    expect(run(s, "route get 10.98.1.1")).toMatch(/^10\.98\.1\.1 via 10\.0\.0\.1 dev eth0 /);
    // 200: "not" inverts the whole selector (to 10.60/16 and iif eth1), as FIB_RULE_INVERT does
    expect(run(s, "route get 10.60.1.1 from 192.168.9.2 iif eth1")).toMatch(/via 10\.0\.0\.1 dev eth0$/);
    expect(run(s, "route get 10.60.1.1 from 10.0.0.9 iif eth0")).toMatch(/dev eth0 table 200$/);
    // 400: from 172.31/16 is blackholed, its neighbour is not
    expect(run(s, "route get 10.98.1.1 from 172.31.0.5 iif eth0")).toBe("RTNETLINK answers: Invalid argument");
    expect(run(s, "route get 10.98.1.1 from 172.30.0.5 iif eth0")).toMatch(/via 10\.0\.0\.1 dev eth0$/);
    // 0: the local table still answers first
    expect(run(s, "route get 10.0.0.2 from 10.0.0.9 iif eth0")).toMatch(/^local 10\.0\.0\.2/);
  });

  it("reads sysctls and listening sockets", () => {
    const src = load(full);
    expect(src.node.sysctl).toEqual({ "net.ipv4.ip_forward": "1", "net.ipv4.conf.eth0.rp_filter": "2", "net.netfilter.nf_conntrack_tcp_loose": "0" });
    expect(src.node.listeners).toEqual([
      { proto: "tcp", addr: 0, port: 22 },
      { proto: "udp", addr: 0, port: 53 },
      { proto: "tcp", addr: parseIp("10.0.0.2"), port: 8080 },
    ]);
    expect(src.warnings).toEqual([]);
    expect(load(ETH0).node.listeners).toBeUndefined();
    expect(load(ETH0).node.sysctl).toEqual({ "net.ipv4.ip_forward": "1" });
    const w = load(`${ETH0}  sysctls: {net.ipv4.ip_forwad: 1}\n`).warnings!;
    expect(w[0]).toMatch(/^t\.yaml:5: net\.ipv4\.ip_forwad is kept but ktrace does not model it \(did you mean net\.ipv4\.ip_forward\?\)/);
  });

  it("reads ipsets and rules, and they work together", () => {
    const src = load(full);
    expect(saveIpsets(src.node.ipsets)).toBe("create nets hash:net family inet hashsize 1024 maxelem 65536\nadd nets 10.0.0.0/8\n");
    const s = new Session(src, nodeIo, 1);
    run(s, "send tcp 10.0.0.9:1000 -> 10.0.0.2:22 in eth0");
    expect(s.sent.at(-1)!.result.fate).toMatchObject({ kind: "delivered" });
    run(s, "send tcp 192.168.9.2:1000 -> 10.0.0.2:22 in eth1");
    expect(s.sent.at(-1)!.result.fate).toMatchObject({ kind: "dropped", chain: "INPUT" });
  });

  it("load scenario applies the seed and shows the description; --seed-less CLI takes it too", () => {
    const dir = mkdtempSync(join(tmpdir(), "ktrace-scenario-"));
    writeFileSync(join(dir, "lab.yaml"), full);
    const s = new Session(loadCanned("article"), nodeIo, 1);
    const out = run(s, `load scenario ${join(dir, "lab.yaml")}`);
    expect(out).toMatch(/^loaded lab node: 1 tables, 2 rules\ntwo lines\nof description\ntry: send tcp/);
    expect(s.seed).toBe(42);
    expect(run(s, "show source")).toBe("lab node\nkind: scenario\ntwo lines\nof description");
  });

  it("base: article, changed by the file", () => {
    const src = load(`title: more
base: article
node:
  hostname: other
  interfaces:
    - {name: cali0000000001, mac: "ee:ee:ee:ee:ee:ee", mtu: 1450}
  routes:
    - 10.42.135.140 dev cali0000000001 scope link
    - default via 192.168.1.254 dev enp3s0 proto dhcp src 192.168.1.88 metric 100
  sysctls: {net.ipv4.conf.all.rp_filter: 1}
`);
    const article = loadCanned("article");
    expect(src.node.hostname).toBe("other");
    expect(src.node.interfaces.map((i) => i.name)).toEqual([...article.node.interfaces.map((i) => i.name), "cali0000000001"]);
    expect(src.node.interfaces.at(-1)!.index).toBe(10);
    expect(src.node.sysctl).toEqual({ ...article.node.sysctl, "net.ipv4.conf.all.rp_filter": "1" });
    expect(saveRuleset(src.ruleset)).toBe(saveRuleset(article.ruleset));
    expect(saveIpsets(src.node.ipsets)).toBe(saveIpsets(article.node.ipsets));
    // the default route was replaced, not doubled
    expect(src.node.routes.filter((r) => r.dst.prefix === 0).map((r) => formatIp(r.via!))).toEqual(["192.168.1.254"]);
    const s = new Session(src, nodeIo, 1);
    expect(run(s, "route get 10.42.135.140")).toContain("dev cali0000000001");
    // an article interface given again with another address: the kernel's routes follow it
    const moved = load(`title: m\nbase: article\nnode:\n  interfaces:\n    - {name: enp3s0, addresses: [192.168.7.88/24]}\n  routes:\n    - default via 192.168.7.1 dev enp3s0\n`);
    const kernel = moved.node.routes.filter((r) => r.dev === "enp3s0" && r.proto === "kernel").map((r) => `${r.type} ${formatCidr(r.dst)}`);
    expect(kernel.sort()).toEqual(["broadcast 192.168.7.255/32", "local 192.168.7.88/32", "unicast 192.168.7.0/24"]);
    expect(moved.node.interfaces.find((i) => i.name === "enp3s0")).toMatchObject({ index: 2, mac: "58:47:ca:71:5e:3a" });
  });

  it("kubernetes objects inline (list or text) and from a file, relative to the scenario", () => {
    const cluster = readFileSync(new URL("../k8s/fixtures/cluster.yaml", import.meta.url), "utf8");
    const fromFile = load(`title: k\nbase: article\nkubernetes:\n  file: sub/cluster.yaml\n  node_name: node-a\n  cluster_cidr: 10.42.0.0/16\n`, { "sub/cluster.yaml": cluster });
    const asText = load(`title: k\nbase: article\nkubernetes:\n  node_name: node-a\n  objects: |\n${cluster.split("\n").map((l) => "    " + l).join("\n")}\n`);
    const body = (src: { ruleset: Parameters<typeof saveRuleset>[0] }) => saveRuleset(src.ruleset).replace(/^# Generated by ktrace from .*\n/, "");
    expect(saveRuleset(fromFile.ruleset)).toMatch(/^# Generated by ktrace from sub\/cluster\.yaml/);
    expect(body(asText)).toBe(body(fromFile));
    const svc = /^kind: List\nitems:\n([\s\S]*)$/m.exec(cluster)![1]!;
    const asList = load(`title: k\nbase: article\nkubernetes:\n  node_name: node-a\n  objects:\n${svc.split("\n").map((l) => "    " + l).join("\n")}\n`);
    expect(body(asList)).toBe(body(fromFile));
    expect(saveRuleset(fromFile.ruleset)).toMatch(/KUBE-SVC-Y4T5L63IYP3YFEBS/);
    expect(fromFile.names).toBeDefined();
    const s = new Session(fromFile, nodeIo, 1);
    expect(run(s, "explain chain KUBE-SVC-Y4T5L63IYP3YFEBS")).toMatch(/podinfo\/frontend-podinfo/);
    // the article's curl reaches one of the endpoints the fixture lists for podinfo
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    expect(["10.42.54.194", "10.42.217.66"]).toContain(formatIp(s.sent.at(-1)!.result.pkt.dst));
  });

  it("kubernetes options reach the generator as --k8s's do", async () => {
    const { generateFromYaml } = await import("../../src/sources/k8s/index.js");
    const cluster = readFileSync(new URL("../k8s/fixtures/cluster.yaml", import.meta.url), "utf8");
    const opts = { nodeName: "node-a", nodeIp: "192.168.1.88", clusterCidr: "10.42.0.0/16", cni: "flannel" as const };
    const src = load(`title: k\nbase: article\nkubernetes:\n  file: c.yaml\n  node_name: node-a\n  node_ip: 192.168.1.88\n  cluster_cidr: 10.42.0.0/16\n  cni: flannel\n`, { "c.yaml": cluster });
    const strip = (t: string) => t.replace(/^# Generated by ktrace from .*\n/, "");
    expect(strip(saveRuleset(src.ruleset))).toBe(strip(saveRuleset(parseRuleset(generateFromYaml(cluster, "x", opts).rules))));
    expect(strip(saveRuleset(src.ruleset))).not.toBe(strip(saveRuleset(parseRuleset(generateFromYaml(cluster, "x", { ...opts, nodeIp: undefined }).rules))));
  });

  it("pasted kubectl text with a YAML mistake points at the scenario's line", () => {
    const msg = errorOf(`title: k\nbase: article\nkubernetes:\n  objects: |\n    apiVersion: v1\n    kind: List\n    items:\n    - kind: Service\n      metadata: {name: a\n`);
    expect(msg).toMatch(/^t\.yaml:10:5: kubernetes\.objects: not valid YAML\/JSON: unexpected end of the stream within a flow collection/);
  });

  it("paths are relative to the scenario file", () => {
    const src = load(`title: r\nnode: {hostname: h}\nrules_file: rules/node.rules\nipsets_file: ../t/sets.ipset\n`, {
      "rules/node.rules": "*filter\n:INPUT DROP [0:0]\nCOMMIT\n",
      "../t/sets.ipset": "create s hash:ip family inet\nadd s 10.0.0.1\n",
    });
    expect(saveRuleset(src.ruleset)).toMatch(/:INPUT DROP/);
    expect([...src.node.ipsets.keys()]).toEqual(["s"]);
    // errors inside a referenced file name that file
    expect(errorOf(`title: r\nnode: {hostname: h}\nrules_file: x.rules\n`, { "x.rules": "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOWHERE\nCOMMIT\n" })).toMatch(/^x\.rules:3:/);
  });

  it("files of another kind say where they belong", () => {
    expect(errorOf("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n")).toMatch(/^t\.yaml:1:1: this is not a scenario but iptables-save output: load it with --rules FILE/);
    expect(errorOf("# Generated by iptables-save\n*nat\nCOMMIT\n")).toMatch(/iptables-save output/);
    expect(errorOf("# ktrace snapshot v1\n## hostname\nx\n")).toMatch(/^t\.yaml:1:1: this is not a scenario but a snapshot: load it with --snapshot FILE/);
    expect(errorOf(readFileSync(new URL("../k8s/fixtures/cluster.yaml", import.meta.url), "utf8"))).toMatch(/^t\.yaml:1:1: this is not a scenario but Kubernetes objects: load them with --k8s FILE/);
  });

  it("IPv6 routes and addresses pasted from ip output are left out, with a warning", () => {
    const src = load(`title: t\nnode:\n  interfaces:\n    - {name: eth0, addresses: [10.0.0.2/24, "fe80::1/64"]}\n  routes:\n    - fe80::/64 dev eth0 proto kernel metric 256 pref medium\n    - 10.1.0.0/16 via 10.0.0.1 dev eth0 linkdown mtu 1400\n`);
    expect(src.node.interfaces[1]!.addrs.map((a) => formatIp(a.ip))).toEqual(["10.0.0.2"]);
    expect(src.node.routes.filter((r) => r.table === 254).map((r) => formatCidr(r.dst))).toEqual(["10.1.0.0/16", "10.0.0.0/24"]);
    expect(src.warnings).toEqual([
      "t.yaml:4: node.interfaces[0].addresses[1]: an IPv6 address, left out (ktrace models IPv4)",
      "t.yaml:6: node.routes[0]: an IPv6 route, left out (ktrace models IPv4)",
    ]);
  });

  it("a node with no rules accepts everything, and says so", () => {
    const src = load(ETH0);
    expect(src.ruleset.tables.size).toBe(0);
    expect(src.notes.join()).toMatch(/no rules/);
  });
});

/** [what, scenario text, the error it must give] */
const cases: [string, string, RegExp][] = [
  ["bad YAML", `title: t\nnode:\n  interfaces:\n    - {name: eth0, addresses: [10.0.0.2/24]\n`, /^t\.yaml:5:1: not valid YAML: /],
  ["a key twice", `title: t\ntitle: u\nnode: {}\n`, /^t\.yaml:2:1: a key appears twice/],
  ["no title", `node: {hostname: x}\n`, /^t\.yaml:1:1: "title" is required here$/],
  ["neither node nor base", `title: t\n`, /^t\.yaml:1:1: a scenario needs "node:"/],
  ["unknown top-level key", `title: t\nnodes: {}\n`, /^t\.yaml:2:1: unknown key "nodes" \(did you mean "node"\?\)/],
  ["unknown node key", `${ETH0}  rutes: []\n`, /^t\.yaml:5:3: node: unknown key "rutes" \(did you mean "routes"\?\)/],
  ["unknown interface key", `title: t\nnode:\n  interfaces:\n    - {name: eth0, adresses: [10.0.0.2/24]}\n`, /^t\.yaml:4:20: node\.interfaces\[0\]: unknown key "adresses" \(did you mean "addresses"\?\)/],
  ["interfaces not a list", `title: t\nnode:\n  interfaces: eth0\n`, /^t\.yaml:3:15: node\.interfaces: expected a list .*got "eth0"/],
  ["interface without a name", `title: t\nnode:\n  interfaces:\n    - {mtu: 1500}\n`, /^t\.yaml:4:7: node\.interfaces\[0\]: "name" is required here/],
  ["mtu not a number", `title: t\nnode:\n  interfaces:\n    - {name: eth0, mtu: big}\n`, /^t\.yaml:4:25: node\.interfaces\[0\]\.mtu: expected a whole number from 68 to 65536, got "big"/],
  ["up not a boolean", `title: t\nnode:\n  interfaces:\n    - {name: eth0, up: yes}\n`, /^t\.yaml:4:24: node\.interfaces\[0\]\.up: expected true or false, got "yes"/],
  ["bad MAC", `title: t\nnode:\n  interfaces:\n    - {name: eth0, mac: "02:42"}\n`, /^t\.yaml:4:25: node\.interfaces\[0\]\.mac: "02:42" is not a MAC address/],
  ["duplicate index", `title: t\nnode:\n  interfaces:\n    - {name: eth0, index: 1}\n`, /^t\.yaml:4:27: node\.interfaces\[0\]\.index: index 1 is already lo's/],
  ["bad address", `title: t\nnode:\n  interfaces:\n    - name: eth1\n      addresses: ["10.0.1.2/24", "10.0.1.300/24"]\n`, /^t\.yaml:5:35: node\.interfaces\[0\]\.addresses\[1\]: "10\.0\.1\.300\/24" is not an IPv4 address/],
  ["bad prefix length", `title: t\nnode:\n  interfaces:\n    - {name: eth0, addresses: [10.0.0.2/33]}\n`, /^t\.yaml:4:32: node\.interfaces\[0\]\.addresses\[0\]: "10\.0\.0\.2\/33"/],
  ["unknown route word", `${ETH0}  routes:\n    - default via 10.0.0.1 dev eth0 metrc 5\n`, /^t\.yaml:6:37: node\.routes\[0\]: unexpected "metrc" in a route/],
  ["route to a missing interface", `${ETH0}  routes:\n    - default via 10.0.0.1 dev eht0\n`, /^t\.yaml:6:32: node\.routes\[0\]: no interface "eht0" on this node \(did you mean eth0\?\)/],
  ["route with host bits", `${ETH0}  routes:\n    - 10.9.0.5/24 via 10.0.0.7\n`, /^t\.yaml:6:7: node\.routes\[0\]: "10\.9\.0\.5\/24" has host bits set: the prefix is 10\.9\.0\.0\/24/],
  ["route with a bad gateway", `${ETH0}  routes:\n    - "default via 10.0.0.999"\n`, /^t\.yaml:6:20: node\.routes\[0\]: "10\.0\.0\.999" is not an IPv4 gateway address/],
  ["gateway on no subnet", `${ETH0}  routes:\n    - default via 10.7.0.1\n`, /^t\.yaml:6:15: node\.routes\[0\]: gateway 10\.7\.0\.1 is on no interface's subnet/],
  ["route without dev or via", `${ETH0}  routes:\n    - 10.7.0.0/16 metric 5\n`, /^t\.yaml:6:7: node\.routes\[0\]: a unicast route needs "dev NAME" or "via GATEWAY"/],
  ["src not local", `${ETH0}  routes:\n    - 10.9.0.0/24 via 10.0.0.7 src 10.9.9.9\n`, /^t\.yaml:6:36: node\.routes\[0\]: src 10\.9\.9\.9 is not an address of this node/],
  ["route listed twice", `${ETH0}  routes:\n    - default via 10.0.0.1\n    - default via 10.0.0.5\n`, /^t\.yaml:7:7: node\.routes\[1\]: a route to default with this table and metric is already listed/],
  ["bad table", `${ETH0}  routes:\n    - default via 10.0.0.1 table mine\n`, /^t\.yaml:6:34: node\.routes\[0\]: "mine" is not a routing table/],
  ["policy rule not quoted", `${ETH0}  rules:\n    - 100: from all lookup main\n`, /^t\.yaml:6:7: node\.rules\[0\]: expected text, got a mapping: a value containing ": " must be quoted/],
  ["policy rule without priority", `${ETH0}  rules:\n    - from all lookup 100\n`, /^t\.yaml:6:7: node\.rules\[0\]: a policy rule needs its priority/],
  ["policy rule without action", `${ETH0}  rules:\n    - priority 5 from 10.0.0.0/8\n`, /^t\.yaml:6:23: node\.rules\[0\]: a policy rule needs an action/],
  ["bad fwmark", `${ETH0}  rules:\n    - priority 5 fwmark 0xzz lookup 100\n`, /^t\.yaml:6:25: node\.rules\[0\]: "0xzz" is not a mark/],
  ["sysctl with two values", `${ETH0}  sysctls: {net.ipv4.ip_forward: "1 2"}\n`, /^t\.yaml:5:34: node\.sysctls\["net\.ipv4\.ip_forward"\]: expected one value/],
  ["listening without a port", `${ETH0}  listening: [tcp 0.0.0.0]\n`, /^t\.yaml:5:19: node\.listening\[0\]: "0\.0\.0\.0" needs a port from 1 to 65535/],
  ["listening with a bad protocol", `${ETH0}  listening: ["sctp 0.0.0.0:22"]\n`, /^t\.yaml:5:16: node\.listening\[0\]: a listening socket is "tcp ADDRESS:PORT"/],
  ["seed not a number", `${ETH0}seed: soon\n`, /^t\.yaml:5:7: seed: expected a whole number/],
  ["unknown base", `title: t\nbase: artcle\n`, /^t\.yaml:2:7: base: no base "artcle" \(bases: article\)/],
  ["rules and rules_file", `${ETH0}rules: ""\nrules_file: x\n`, /^t\.yaml:6:13: rules_file: give the text inline or a file, not both/],
  ["rules and kubernetes", `${ETH0}rules: ""\nkubernetes: {file: x}\n`, /^t\.yaml:6:13: kubernetes: makes the whole ruleset, so it cannot come with "rules"/],
  ["missing rules_file", `${ETH0}rules_file: nothere.rules\n`, /^t\.yaml:5:13: rules_file: cannot read .*nothere\.rules: no such file \(paths are relative to the scenario file\)/],
  ["bad embedded rule (block)", `${ETH0}rules: |\n  *filter\n  :INPUT ACCEPT [0:0]\n  -A INPUT -p tcp --dprot 22 -j ACCEPT\n  COMMIT\n`, /^t\.yaml:8:19: rules: unknown option "--dprot"/],
  ["bad embedded rule (deeper indent)", `${ETH0}rules: |\n      *filter\n      -A INPUT -j NOWHERE\n      COMMIT\n`, /^t\.yaml:7:\d+: rules: .*NOWHERE/],
  ["bad embedded rule (quoted)", `${ETH0}rules: "*filter\\n-A INPUT -j NOWHERE\\nCOMMIT\\n"\n`, /^t\.yaml:5:9: rules \(line 2 of the text\): .*NOWHERE/],
  ["bad embedded ipset", `${ETH0}ipsets: |\n  create a hash:net family inet\n  add b 10.0.0.0/8\n`, /^t\.yaml:7:7: ipsets: ipset "b" does not exist/],
  ["bad cni", `title: t\nbase: article\nkubernetes: {file: x, cni: weave}\n`, /^t\.yaml:3:28: kubernetes\.cni: "weave" is not a CNI ktrace knows/],
  ["bad cluster_cidr", `title: t\nbase: article\nkubernetes: {file: x, cluster_cidr: 10.42.0.0}\n`, /^t\.yaml:3:37: kubernetes\.cluster_cidr: "10\.42\.0\.0" is not an IPv4 CIDR/],
  ["kubernetes without objects", `title: t\nbase: article\nkubernetes: {node_name: a}\n`, /^t\.yaml:3:13: kubernetes: needs "objects"/],
  [
    "bad Kubernetes object field",
    `title: x\nbase: article\nkubernetes:\n  objects:\n    - apiVersion: v1\n      kind: Service\n      metadata: {name: a, namespace: b}\n      spec:\n        clusterIP: 10.43.0.99\n        ports: [{name: http, port: 99999}]\n`,
    /^t\.yaml:10:36: kubernetes\.objects\[0\]\.spec\.ports\[0\]\.port: 99999 is out of range 1-65535 \(in Service b\/a\)$/,
  ],
];

describe("errors name file:line:column, the field and the value", () => {
  for (const [name, text, want] of cases) it(name, () => expect(errorOf(text)).toMatch(want));

  it("reach the user as one line from load scenario and the CLI's loader", () => {
    const dir = mkdtempSync(join(tmpdir(), "ktrace-scenario-"));
    writeFileSync(join(dir, "bad.yaml"), `${ETH0}  rutes: []\n`);
    const s = new Session(loadCanned("article"), nodeIo, 1);
    const r = runLine(s, `load scenario ${join(dir, "bad.yaml")}`);
    expect(r.error).toBe(`${join(dir, "bad.yaml")}:5:3: node: unknown key "rutes" (did you mean "routes"?); known here: hostname, interfaces, routes, rules, sysctls, listening`);
    expect(s.source.kind).toBe("canned"); // the session keeps what it had
  });
});

describe("docs/scenarios.md", () => {
  const doc = readFileSync(new URL("../../docs/scenarios.md", import.meta.url), "utf8");

  it("its complete example loads and routes a packet as its routes say", () => {
    const section = doc.slice(doc.indexOf("## A complete example"));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const src = load(yaml);
    const s = new Session(src, nodeIo, src.seed ?? 1);
    const routes = [...yaml.matchAll(/^\s+- (default|[\d.]+\/\d+) via ([\d.]+) dev (\S+)/gm)];
    expect(routes.length).toBeGreaterThanOrEqual(2);
    for (const [, dst, via, dev] of routes) {
      // an address inside this route's prefix and inside no longer listed prefix
      const c = dst === "default" ? parseCidr("0.0.0.0/0")! : parseCidr(dst!)!;
      const others = routes.filter((r) => r[1] !== dst && r[1] !== "default").map((r) => parseCidr(r[1]!)!);
      let probe = (c.addr + 77) >>> 0;
      while (others.some((o) => o.prefix > c.prefix && inCidr(probe, o)) || src.node.interfaces.some((i) => i.addrs.some((a) => inCidr(probe, parseCidr(`${formatIp(a.ip)}/${a.prefix}`)!)))) probe = (probe + 0x01000000) >>> 0;
      expect(run(s, `route get ${formatIp(probe)}`)).toMatch(new RegExp(`^${formatIp(probe).replace(/\./g, "\\.")} via ${via!.replace(/\./g, "\\.")} dev ${dev} `));
    }
    // its hint runs, and the packet goes where the example says
    const hint = /^hint: "(.*)"$/m.exec(yaml)![1]!;
    run(s, hint);
    expect(s.sent.at(-1)!.result.fate).toMatchObject({ kind: "sent" });
  });

  it("names every key the reader knows", async () => {
    const { SCENARIO_KEYS } = await import("../../src/sources/scenario.js");
    const { NODE_KEYS } = await import("../../src/sources/scenario-node.js");
    for (const k of [...SCENARIO_KEYS, ...NODE_KEYS, "objects", "file", "cluster_cidr", "node_name", "node_ip", "cni"]) expect(doc).toContain(`\`${k}\``);
    const ifaces = doc.slice(doc.indexOf("#### `interfaces`"), doc.indexOf("#### `routes`"));
    for (const k of ["name", "mac", "addresses", "mtu", "up", "index"]) expect(ifaces).toMatch(new RegExp(`\\b${k}: `));
  });

  it("its error examples are what ktrace says", () => {
    const block = /## Errors you may see[\s\S]*?```text\n([\s\S]*?)```/.exec(doc)![1]!;
    const lines = block.trim().split("\n");
    expect(lines.length).toBeGreaterThan(8);
    // the doc's path for a missing file stands for wherever the scenario is
    const said = cases.map(([, text]) => errorOf(text).replace(/^t\.yaml/, "my.yaml").replace(/cannot read \S*\//, "cannot read /home/me/"));
    for (const l of lines) expect(said, l).toContain(l);
  });
});
