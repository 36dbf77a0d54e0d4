// The Kubernetes source from the command language and the CLI: load k8s, explain chain, names
// decoded in explain mode, clear errors for YAML that is not Services/EndpointSlices.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "../../src/lang/session.js";
import { loadCanned } from "../../src/sources/load.js";
import { nodeIo } from "../../src/sources/io.js";
import { runLine } from "../../src/lang/commands/index.js";

const YAML = fileURLToPath(new URL("../k8s/fixtures/cluster.yaml", import.meta.url));
const BIN = fileURLToPath(new URL("../../dist/ktrace-repl.js", import.meta.url));

describe("load k8s", () => {
  it("loads generated rules and decodes their chains", () => {
    const s = new Session(loadCanned("article"), nodeIo, 1);
    const r = runLine(s, `load k8s ${YAML} node node-a`);
    expect(r.error).toBeUndefined();
    expect(r.text).toMatch(/^loaded kube-proxy rules for .*cluster\.yaml \(cluster CIDR 10\.42\.0\.0\/16\) on the article's node: 3 tables, \d+ rules/);
    expect(runLine(s, "explain chain KUBE-SVC-Y4T5L63IYP3YFEBS").text).toBe("KUBE-SVC-Y4T5L63IYP3YFEBS = Service podinfo/frontend-podinfo port http (tcp)\nin: nat (3 rules)");
    const out = runLine(s, "send tcp 192.168.1.88:40000 -> 10.43.156.98:9898").text;
    expect(out).toMatch(/⟶ KUBE-SEP-(OYNVDBAPYJ623W6H|6G2GMHWEBXQ5W3DV) = endpoint 10\.42\.(54\.194|217\.66):9898 of Service podinfo\/frontend-podinfo port http \(tcp\)/);
  });
  it("names the item and field of bad YAML, and the session goes on", () => {
    const dir = mkdtempSync(join(tmpdir(), "ktk8s-"));
    const f = join(dir, "svc.yaml");
    writeFileSync(f, "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec:\n  clusterIP: 10.43.0.5\n  ports:\n  - {name: http, port: http, protocol: TCP}\n");
    const s = new Session(loadCanned("article"), nodeIo, 1);
    const r = runLine(s, `load k8s ${f}`);
    expect(r.error).toBe(`${f}: item 1 (Service default/web): spec.ports[0].port: expected a number, got "http"`);
    expect(runLine(s, "route get 10.42.54.194").error).toBeUndefined();
  });
  it("warns when endpoints lie outside the cluster CIDR, and not when they are inside", () => {
    const s = new Session(loadCanned("article"), nodeIo, 1);
    expect(runLine(s, `load k8s ${YAML}`).text).not.toContain("outside the cluster CIDR");
    const r = runLine(s, `load k8s ${YAML} cidr 10.99.0.0/16`);
    expect(r.error).toBeUndefined();
    expect(r.text).toMatch(/\nwarning: \d+ endpoint addresses are outside the cluster CIDR 10\.99\.0\.0\/16 \(10\.42\./);
    const cli = spawnSync(process.execPath, [BIN, "--k8s", YAML, "--cluster-cidr", "10.99.0.0/16", "-e", "explain chain KUBE-SERVICES"], { encoding: "utf8" });
    expect(cli.status).toBe(0);
    expect(cli.stderr).toMatch(/^ktrace-repl: warning: \d+ endpoint addresses are outside the cluster CIDR 10\.99\.0\.0\/16/);
  });
  it("warns about endpoints the article's node has no route for", () => {
    const dir = mkdtempSync(join(tmpdir(), "ktk8s-"));
    const f = join(dir, "svc.yaml");
    writeFileSync(f, `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: 10.43.10.10
  ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
- {addresses: [10.42.54.194], conditions: {ready: true}}
- {addresses: [10.42.1.5], conditions: {ready: true}}
- {addresses: [10.42.135.140], conditions: {ready: true}}
`);
    const s = new Session(loadCanned("article"), nodeIo, 1);
    const text = runLine(s, `load k8s ${f}`).text;
    expect(text).toContain("\nwarning: the article's node has no pod route for 1 endpoint address (10.42.1.5): it knows 10.42.54.192/26");
    expect(text).toContain("\nwarning: 1 endpoint address is in the article's node's own pod block but not one of its pods (10.42.135.140): its blackhole route drops packets to them");
    expect(text).not.toContain("10.42.54.194");
  });
  it("--k8s on the command line", () => {
    const r = spawnSync(process.execPath, [BIN, "--k8s", YAML, "--cni", "flannel", "-e", "explain chain KUBE-SERVICES"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("KUBE-SERVICES = kube-proxy's entry chain");
    const bad = spawnSync(process.execPath, [BIN, "--k8s", YAML, "--cluster-cidr", "10.42.0.0"], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('ktrace-repl: --cluster-cidr: expected an IPv4 CIDR such as 10.42.0.0/16, got "10.42.0.0"\n');
  });
});
