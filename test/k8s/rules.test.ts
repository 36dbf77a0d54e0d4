/**
 * Each kind of Service, as exact iptables-save lines.
 *
 * Why: these are the rules a learner reads and traces; each case pins one decision kube-proxy
 * v1.28 makes (masquerade, KUBE-EXT short-circuits, KUBE-FW, Local policies, affinity, REJECT and
 * DROP in filter, terminating fallback, large-cluster comments). Two oracles: kube-proxy's own
 * TestOverallIPTablesRulesWithMultipleServices expectation (restored and saved by the real
 * iptables, fixtures/kube-proxy-overall.saved) and the article node's podinfo rules.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ARTICLE_RULES } from "../../src/sources/canned/article-rules.js";
import { endpointChain, portChains, savedProbability } from "../../src/sources/k8s/names.js";
import { gen, serviceLines } from "./helpers.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

const svc = (name: string, spec: string, status = "") =>
  `---\napiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: demo}\nspec: ${spec}\n${status ? `status: ${status}\n` : ""}`;
const slice = (name: string, endpoints: string, ports = "[{name: http, port: 8080, protocol: TCP}]") =>
  `---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: ${name}-1, namespace: demo, labels: {kubernetes.io/service-name: ${name}}}\naddressType: IPv4\nendpoints: ${endpoints}\nports: ${ports}\n`;

/** The rules of one table in save order, chain declarations excluded. */
function tableRules(text: string, table: string): string[] {
  const body = text.split(`*${table}\n`)[1]?.split("COMMIT")[0] ?? "";
  return body.split("\n").filter((l) => l.startsWith("-A "));
}

describe("kube-proxy's own expectation (TestOverallIPTablesRulesWithMultipleServices)", () => {
  const ours = gen(fixture("kube-proxy-overall.yaml"), { clusterCidr: "10.0.0.0/8", nodeName: "test-hostname", nodeIp: "192.168.0.2" });
  const theirs = fixture("kube-proxy-overall.saved");
  // kube-proxy's test shows the rules of its own chains only (no jumps from builtin chains)
  const own = (l: string) => !/^-A (INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) /.test(l);
  for (const table of ["filter", "nat"]) {
    it(`${table}: same rules in the same order`, () => {
      expect(tableRules(ours, table).filter(own)).toEqual(tableRules(theirs, table));
    });
  }
  it("same chains", () => {
    const chains = (t: string) => new Set(t.match(/^:KUBE-\S+/gm));
    const canaries = /CANARY|HINT/;
    expect([...chains(ours)].filter((c) => !canaries.test(c)).sort()).toEqual([...chains(theirs)].sort());
  });
});

describe("each kind of Service", () => {
  it("ClusterIP: the article node's podinfo rules, line for line", () => {
    const yaml =
      svc("frontend-podinfo", "{clusterIP: 10.43.156.98, ports: [{name: http, port: 9898}]}").replaceAll("demo", "podinfo") +
      slice("frontend-podinfo", "[{addresses: [10.42.54.194]}, {addresses: [10.42.217.66]}]", "[{name: http, port: 9898}]").replaceAll("demo", "podinfo");
    const article = ARTICLE_RULES.split("\n").filter((l) => /podinfo\/frontend-podinfo:http|^:KUBE-(SVC-Y4T5|SEP-OYNV|SEP-6G2G)/.test(l));
    expect(serviceLines(gen(yaml))).toEqual(article);
  });

  it("UDP with three endpoints: probabilities 1/3, 1/2, none", () => {
    const yaml = svc("dns", "{clusterIP: 10.43.0.10, ports: [{name: dns, port: 53, protocol: UDP}]}") + slice("dns", "[{addresses: [10.42.0.3]}, {addresses: [10.42.0.2]}, {addresses: [10.42.0.1]}]", "[{name: dns, port: 53, protocol: UDP}]");
    expect(serviceLines(gen(yaml)).filter((l) => l.startsWith("-A KUBE-SVC") || l.startsWith("-A KUBE-SEP-") && l.includes("DNAT"))).toEqual([
      "-A KUBE-SEP-H2ZSHGC2FHVCK4FF -p udp -m comment --comment \"demo/dns:dns\" -m udp -j DNAT --to-destination 10.42.0.1:53",
      "-A KUBE-SEP-MCSLUGKTFX5WCAKV -p udp -m comment --comment \"demo/dns:dns\" -m udp -j DNAT --to-destination 10.42.0.2:53",
      "-A KUBE-SEP-WBDT2MBHDTXWWK3L -p udp -m comment --comment \"demo/dns:dns\" -m udp -j DNAT --to-destination 10.42.0.3:53",
      "-A KUBE-SVC-IXHL676EY46F5RLS ! -s 10.42.0.0/16 -d 10.43.0.10/32 -p udp -m comment --comment \"demo/dns:dns cluster IP\" -m udp --dport 53 -j KUBE-MARK-MASQ",
      "-A KUBE-SVC-IXHL676EY46F5RLS -m comment --comment \"demo/dns:dns -> 10.42.0.1:53\" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-H2ZSHGC2FHVCK4FF",
      "-A KUBE-SVC-IXHL676EY46F5RLS -m comment --comment \"demo/dns:dns -> 10.42.0.2:53\" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-MCSLUGKTFX5WCAKV",
      "-A KUBE-SVC-IXHL676EY46F5RLS -m comment --comment \"demo/dns:dns -> 10.42.0.3:53\" -j KUBE-SEP-WBDT2MBHDTXWWK3L",
    ]);
  });

  it("SCTP", () => {
    const yaml = svc("app", "{clusterIP: 10.43.0.8, ports: [{name: s, port: 3868, protocol: SCTP}]}") + slice("app", "[{addresses: [10.42.1.5]}]", "[{name: s, port: 3868, protocol: SCTP}]");
    expect(serviceLines(gen(yaml))).toEqual([
      ":KUBE-SEP-BEZJ5NC5HFOR5EWC - [0:0]",
      ":KUBE-SVC-FAVUUIR3PLR2NZD2 - [0:0]",
      '-A KUBE-SEP-BEZJ5NC5HFOR5EWC -s 10.42.1.5/32 -m comment --comment "demo/app:s" -j KUBE-MARK-MASQ',
      '-A KUBE-SEP-BEZJ5NC5HFOR5EWC -p sctp -m comment --comment "demo/app:s" -m sctp -j DNAT --to-destination 10.42.1.5:3868',
      '-A KUBE-SERVICES -d 10.43.0.8/32 -p sctp -m comment --comment "demo/app:s cluster IP" -m sctp --dport 3868 -j KUBE-SVC-FAVUUIR3PLR2NZD2',
      '-A KUBE-SVC-FAVUUIR3PLR2NZD2 ! -s 10.42.0.0/16 -d 10.43.0.8/32 -p sctp -m comment --comment "demo/app:s cluster IP" -m sctp --dport 3868 -j KUBE-MARK-MASQ',
      '-A KUBE-SVC-FAVUUIR3PLR2NZD2 -m comment --comment "demo/app:s -> 10.42.1.5:3868" -j KUBE-SEP-BEZJ5NC5HFOR5EWC',
    ]);
  });

  it("no endpoints: REJECT in filter for the cluster IP, external IPs, load balancer IPs and NodePort", () => {
    const yaml = svc("app", "{type: LoadBalancer, clusterIP: 10.43.0.9, externalIPs: [192.0.2.10], ports: [{name: http, port: 80, nodePort: 30002}]}", "{loadBalancer: {ingress: [{ip: 192.0.2.11}]}}");
    const reject = "-j REJECT --reject-with icmp-port-unreachable";
    const c = '-m comment --comment "demo/app:http has no endpoints"';
    expect(serviceLines(gen(yaml))).toEqual([
      `-A KUBE-EXTERNAL-SERVICES -d 192.0.2.10/32 -p tcp ${c} -m tcp --dport 80 ${reject}`,
      `-A KUBE-EXTERNAL-SERVICES -d 192.0.2.11/32 -p tcp ${c} -m tcp --dport 80 ${reject}`,
      `-A KUBE-EXTERNAL-SERVICES -p tcp ${c} -m addrtype --dst-type LOCAL -m tcp --dport 30002 ${reject}`,
      `-A KUBE-SERVICES -d 10.43.0.9/32 -p tcp ${c} -m tcp --dport 80 ${reject}`,
    ]);
  });

  it("internalTrafficPolicy Local: KUBE-SVL with the local endpoint only; DROP when there is none", () => {
    const spec = "{clusterIP: 10.43.0.5, internalTrafficPolicy: Local, ports: [{name: http, port: 80}]}";
    const both = svc("app", spec) + slice("app", "[{addresses: [10.42.0.5], nodeName: me}, {addresses: [10.42.1.5], nodeName: other}]");
    expect(serviceLines(gen(both, { nodeName: "me" }))).toEqual([
      ":KUBE-SEP-CXYN7BMVY2HD7FDN - [0:0]",
      ":KUBE-SVL-GGZCLDEOSYDA3BCC - [0:0]",
      '-A KUBE-SEP-CXYN7BMVY2HD7FDN -s 10.42.0.5/32 -m comment --comment "demo/app:http" -j KUBE-MARK-MASQ',
      '-A KUBE-SEP-CXYN7BMVY2HD7FDN -p tcp -m comment --comment "demo/app:http" -m tcp -j DNAT --to-destination 10.42.0.5:8080',
      '-A KUBE-SERVICES -d 10.43.0.5/32 -p tcp -m comment --comment "demo/app:http cluster IP" -m tcp --dport 80 -j KUBE-SVL-GGZCLDEOSYDA3BCC',
      '-A KUBE-SVL-GGZCLDEOSYDA3BCC ! -s 10.42.0.0/16 -d 10.43.0.5/32 -p tcp -m comment --comment "demo/app:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ',
      '-A KUBE-SVL-GGZCLDEOSYDA3BCC -m comment --comment "demo/app:http -> 10.42.0.5:8080" -j KUBE-SEP-CXYN7BMVY2HD7FDN',
    ]);
    const remote = svc("app", spec) + slice("app", "[{addresses: [10.42.1.5], nodeName: other}]");
    expect(serviceLines(gen(remote, { nodeName: "me" }))).toEqual([
      '-A KUBE-SERVICES -d 10.43.0.5/32 -p tcp -m comment --comment "demo/app:http has no local endpoints" -m tcp --dport 80 -j DROP',
    ]);
  });

  it("externalTrafficPolicy Local without a local endpoint: short-circuits stay, outside traffic is dropped", () => {
    const yaml =
      svc("app", "{type: NodePort, clusterIP: 10.43.0.6, externalTrafficPolicy: Local, externalIPs: [192.0.2.9], ports: [{name: http, port: 80, nodePort: 30001}]}") +
      slice("app", "[{addresses: [10.42.1.5], nodeName: other}]");
    const lines = serviceLines(gen(yaml, { nodeName: "me" }));
    expect(lines.filter((l) => /KUBE-EXT|KUBE-EXTERNAL/.test(l))).toEqual([
      '-A KUBE-EXTERNAL-SERVICES -d 192.0.2.9/32 -p tcp -m comment --comment "demo/app:http has no local endpoints" -m tcp --dport 80 -j DROP',
      '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "demo/app:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 30001 -j DROP',
      ":KUBE-EXT-GGZCLDEOSYDA3BCC - [0:0]",
      '-A KUBE-EXT-GGZCLDEOSYDA3BCC -s 10.42.0.0/16 -m comment --comment "pod traffic for demo/app:http external destinations" -j KUBE-SVC-GGZCLDEOSYDA3BCC',
      '-A KUBE-EXT-GGZCLDEOSYDA3BCC -m comment --comment "masquerade LOCAL traffic for demo/app:http external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ',
      '-A KUBE-EXT-GGZCLDEOSYDA3BCC -m comment --comment "route LOCAL traffic for demo/app:http external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GGZCLDEOSYDA3BCC',
      '-A KUBE-NODEPORTS -p tcp -m comment --comment "demo/app:http" -m tcp --dport 30001 -j KUBE-EXT-GGZCLDEOSYDA3BCC',
      '-A KUBE-SERVICES -d 192.0.2.9/32 -p tcp -m comment --comment "demo/app:http external IP" -m tcp --dport 80 -j KUBE-EXT-GGZCLDEOSYDA3BCC',
    ]);
    expect(lines).not.toContain(":KUBE-SVL-GGZCLDEOSYDA3BCC - [0:0]");
  });

  it("LoadBalancer with source ranges: KUBE-FW accepts the ranges (and the LB IP itself when a range holds the node)", () => {
    const yaml =
      svc("api", "{type: LoadBalancer, clusterIP: 10.43.10.30, loadBalancerSourceRanges: [203.0.113.7/24, 192.168.1.0/24], ports: [{name: https, port: 443, nodePort: 30443}]}", "{loadBalancer: {ingress: [{ip: 192.168.1.200}]}}") +
      slice("api", "[{addresses: [10.42.54.20]}]", "[{name: https, port: 8443}]");
    const fw = (nodeIp?: string) => serviceLines(gen(yaml, { nodeIp })).filter((l) => /KUBE-FW|KUBE-PROXY-FIREWALL|loadbalancer IP" -m tcp/.test(l));
    const c = '-m comment --comment "demo/api:https loadbalancer IP"';
    expect(fw()).toEqual([
      '-A KUBE-PROXY-FIREWALL -d 192.168.1.200/32 -p tcp -m comment --comment "demo/api:https traffic not accepted by KUBE-FW-FPNDZPBCDEO3LHH3" -m tcp --dport 443 -j DROP',
      ":KUBE-FW-FPNDZPBCDEO3LHH3 - [0:0]",
      `-A KUBE-FW-FPNDZPBCDEO3LHH3 -s 203.0.113.0/24 ${c} -j KUBE-EXT-FPNDZPBCDEO3LHH3`,
      `-A KUBE-FW-FPNDZPBCDEO3LHH3 -s 192.168.1.0/24 ${c} -j KUBE-EXT-FPNDZPBCDEO3LHH3`,
      '-A KUBE-FW-FPNDZPBCDEO3LHH3 -m comment --comment "other traffic to demo/api:https will be dropped by KUBE-PROXY-FIREWALL"',
      `-A KUBE-SERVICES -d 192.168.1.200/32 -p tcp ${c} -m tcp --dport 443 -j KUBE-FW-FPNDZPBCDEO3LHH3`,
    ]);
    expect(fw("192.168.1.87")).toContain(`-A KUBE-FW-FPNDZPBCDEO3LHH3 -s 192.168.1.200/32 ${c} -j KUBE-EXT-FPNDZPBCDEO3LHH3`);
  });

  it("sessionAffinity ClientIP: recent --rcheck in the service chain, --set in the endpoint chain", () => {
    const yaml =
      svc("cart", "{clusterIP: 10.43.10.50, sessionAffinity: ClientIP, sessionAffinityConfig: {clientIP: {timeoutSeconds: 600}}, ports: [{port: 8080}]}") +
      slice("cart", "[{addresses: [10.42.54.40]}, {addresses: [10.42.217.41]}]", '[{name: "", port: 8080}]');
    expect(serviceLines(gen(yaml)).filter((l) => l.includes("recent"))).toEqual([
      '-A KUBE-SEP-H7Y2POTP3QC2MCNH -p tcp -m comment --comment "demo/cart" -m recent --set --name KUBE-SEP-H7Y2POTP3QC2MCNH --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.42.54.40:8080',
      '-A KUBE-SEP-WFBLH7NSMD66ODYV -p tcp -m comment --comment "demo/cart" -m recent --set --name KUBE-SEP-WFBLH7NSMD66ODYV --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.42.217.41:8080',
      '-A KUBE-SVC-JKCHPXE7S6U5DDEM -m comment --comment "demo/cart -> 10.42.217.41:8080" -m recent --rcheck --seconds 600 --reap --name KUBE-SEP-WFBLH7NSMD66ODYV --mask 255.255.255.255 --rsource -j KUBE-SEP-WFBLH7NSMD66ODYV',
      '-A KUBE-SVC-JKCHPXE7S6U5DDEM -m comment --comment "demo/cart -> 10.42.54.40:8080" -m recent --rcheck --seconds 600 --reap --name KUBE-SEP-H7Y2POTP3QC2MCNH --mask 255.255.255.255 --rsource -j KUBE-SEP-H7Y2POTP3QC2MCNH',
    ]);
  });

  it("falls back to serving terminating endpoints only when none is ready", () => {
    const yaml =
      svc("app", "{clusterIP: 10.43.0.7, ports: [{name: http, port: 80}]}") +
      slice("app", "[{addresses: [10.42.1.5], conditions: {ready: false, serving: true, terminating: true}}, {addresses: [10.42.1.6], conditions: {ready: false, serving: false, terminating: true}}]");
    expect(serviceLines(gen(yaml)).filter((l) => l.includes("->"))).toEqual([
      '-A KUBE-SVC-GGZCLDEOSYDA3BCC -m comment --comment "demo/app:http -> 10.42.1.5:8080" -j KUBE-SEP-EUM5R6TQYGOK32TN',
    ]);
  });

  it("drops the per-endpoint comments above 1000 endpoints, as kube-proxy's large-cluster mode does", () => {
    const addrs = Array.from({ length: 1001 }, (_, i) => `{addresses: [10.42.${i >> 8}.${i & 255}]}`).join(", ");
    const lines = serviceLines(gen(svc("big", "{clusterIP: 10.43.0.99, ports: [{name: http, port: 80}]}") + slice("big", `[${addrs}]`)));
    const sep = lines.filter((l) => l.startsWith("-A KUBE-SEP-"));
    expect(sep).toHaveLength(2002);
    expect(sep.filter((l) => l.includes("--comment"))).toEqual([]);
    expect(lines.filter((l) => l.includes("--comment"))).toHaveLength(2); // the two "cluster IP" rules keep theirs
    const svcChain = portChains("demo/big:http", "tcp").svc;
    const first = endpointChain("demo/big:http", "tcp", "10.42.0.0:8080"); // "ip:port" strings sort as text
    expect(lines).toContain(`-A ${svcChain} -m statistic --mode random --probability ${savedProbability(1001)} -j ${first}`);
    expect(savedProbability(1001)).toBe("0.00099900085");
  });
});
