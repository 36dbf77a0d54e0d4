/**
 * Input that is not Services/EndpointSlices, or has a wrong field, fails with the file, the item
 * and the field path.
 *
 * Why: a learner's first try is often `kubectl get all -o yaml` or a hand-edited manifest; the
 * message has to say which object and which field to fix.
 */
import { describe, expect, it } from "vitest";
import { K8sInputError, generateFromYaml } from "../../src/sources/k8s/index.js";

const err = (yaml: string, opts = {}) => {
  try {
    generateFromYaml(yaml, "svc.yaml", opts);
  } catch (e) {
    expect(e).toBeInstanceOf(K8sInputError);
    return (e as Error).message;
  }
  throw new Error("expected a K8sInputError");
};

const svc = (name: string, spec: string) => `---\napiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: default}\nspec: ${spec}\n`;
const ok = svc("a", "{clusterIP: 10.43.0.1, ports: [{port: 80}]}");

describe("input errors", () => {
  it("names the item and the field", () => {
    const yaml = ok + ok.replace("name: a", "name: b") + svc("web", '{clusterIP: 10.43.0.3, ports: [{name: http, port: "http"}]}');
    expect(err(yaml)).toBe('svc.yaml: item 3 (Service default/web): spec.ports[0].port: expected a number, got "http"');
  });

  it("counts items inside a v1 List", () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: a, namespace: x}, spec: {clusterIP: 10.43.0.1, ports: [{port: 80}]}}\n- {apiVersion: v1, kind: Service, metadata: {name: b, namespace: x}, spec: {clusterIP: 10.43.0.2, ports: [{port: 80, protocol: ICMP}]}}\n`;
    expect(err(list)).toBe('svc.yaml: item 2 (Service x/b): spec.ports[0].protocol: expected TCP, UDP or SCTP, got "ICMP"');
  });

  it("rejects other kinds, with a hint for Endpoints", () => {
    expect(err(ok + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\n")).toBe('svc.yaml: item 2 (Pod default/p): kind: expected Service or EndpointSlice, got "Pod"');
    expect(err(ok + "---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: a, namespace: default}\n")).toMatch(/item 2 \(Endpoints default\/a\): kind: .* reads EndpointSlices/);
    expect(err("- 1\n- 2\n")).toBe("svc.yaml: item 1: kind: expected a Kubernetes object (a mapping with kind), got [1,2]");
  });

  it("checks addresses, CIDRs, policies and EndpointSlice fields", () => {
    expect(err(svc("a", "{clusterIP: 10.43.0.300, ports: [{port: 80}]}"))).toMatch(/item 1 \(Service default\/a\): spec.clusterIP: expected an IP address or "None", got "10.43.0.300"/);
    expect(err(svc("a", "{type: LoadBalancer, clusterIP: 10.43.0.1, loadBalancerSourceRanges: [10.0.0.0/33], ports: [{port: 80}]}"))).toMatch(/spec.loadBalancerSourceRanges\[0\]: expected a CIDR/);
    expect(err(svc("a", "{clusterIP: 10.43.0.1, externalTrafficPolicy: local, ports: [{port: 80}]}"))).toMatch(/spec.externalTrafficPolicy: expected Cluster or Local, got "local"/);
    expect(err(svc("a", "{clusterIP: 10.43.0.1, ports: [{port: 70000}]}"))).toMatch(/spec.ports\[0\].port: 70000 is out of range 1-65535/);
    const slice = "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: a-1, namespace: default, labels: {kubernetes.io/service-name: a}}\naddressType: IPv4\n";
    expect(err(ok + slice + "endpoints: [{addresses: [fe80::1]}]\n")).toBe('svc.yaml: item 2 (EndpointSlice default/a-1): endpoints[0].addresses[0]: expected an IPv4 address, got "fe80::1"');
    expect(err(ok + slice + "endpoints: [{addresses: [10.42.0.1], conditions: {ready: yes please}}]\n")).toMatch(/endpoints\[0\].conditions.ready: expected true or false, got "yes please"/);
    expect(err(ok + slice.replace(", labels: {kubernetes.io/service-name: a}", ""))).toMatch(/item 2 \(EndpointSlice default\/a-1\): metadata.labels\["kubernetes.io\/service-name"\]: missing/);
  });

  it("reports YAML syntax errors with a line, and empty input", () => {
    expect(err("apiVersion: v1\nkind: Service\nspec: {ports: [\n")).toMatch(/^svc.yaml:\d+: not valid YAML\/JSON: /);
    expect(err("")).toMatch(/^svc.yaml: no Services found/);
  });

  it("checks the options", () => {
    expect(err(ok, { clusterCidr: "10.42.0.0" })).toMatch(/--cluster-cidr: expected an IPv4 CIDR/);
    expect(err(ok, { cni: "cilium" })).toMatch(/--cni: expected calico, flannel or none, got "cilium"/);
  });

  it("accepts JSON (kubectl -o json)", () => {
    const json = JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "Service", metadata: { name: "a", namespace: "x" }, spec: { clusterIP: "10.43.0.1", ports: [{ port: 80 }] } }] });
    expect(generateFromYaml(json, "svc.json").rules).toContain('"x/a has no endpoints"');
  });

  it("JSON with a mistake is reported by line, as YAML is; JSON and YAML of one cluster give the same rules", () => {
    const obj = { apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "Service", metadata: { name: "a", namespace: "x" }, spec: { clusterIP: "10.43.0.1", ports: [{ port: 80 }] } }] };
    const json = JSON.stringify(obj, null, 1);
    expect(err(json.replace('"port": 80', '"port": 80,,'))).toMatch(/^svc\.yaml:\d+: not valid YAML\/JSON: /);
    const yaml = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a, namespace: x}\n  spec: {clusterIP: 10.43.0.1, ports: [{port: 80}]}\n";
    expect(generateFromYaml(json, "c.json").rules.split("\n").slice(2)).toEqual(generateFromYaml(yaml, "c.yaml").rules.split("\n").slice(2));
  });

  it("YAML aliases: an object written once and used twice is refused; one that contains itself, or a billion laughs, ends quickly", () => {
    const twice = `apiVersion: v1\nkind: List\nitems:\n- &s {apiVersion: v1, kind: Service, metadata: {name: a}, spec: {clusterIP: 10.43.0.1, ports: [{port: 80}]}}\n- *s\n`;
    expect(err(twice)).toBe("svc.yaml: item 2: kind: the same object again (a YAML alias): each Service and EndpointSlice is written out once");
    const itself = `apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: &s {clusterIP: 10.43.0.1, ports: [{port: 80}], selector: *s, type: *s}\n`;
    expect(err(itself)).toMatch(/spec\.type: expected a string, got a value that contains itself/);
    const lists = `apiVersion: v1\nkind: List\nitems: &a [&b {kind: List, items: &c [*a, *a]}]\n`;
    expect(err(lists)).toBe("svc.yaml: item 1: kind: expected a Kubernetes object (a mapping with kind), got a value that contains itself (a YAML alias)");
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (let i = 1; i < 9; i++) laughs += `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill("*" + String.fromCharCode(96 + i)).join(", ")}]\n`;
    expect(err("[".repeat(200000) + "]".repeat(200000))).toBe("svc.yaml: item 1: kind: expected a Kubernetes object (a mapping with kind), got a value nested too deeply to print");
    expect(err("{".repeat(1000))).toMatch(/^svc\.yaml:1: not valid YAML\/JSON: nesting exceeded maxDepth/);
    expect(err(`${laughs}apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {clusterIP: 10.43.0.1, ports: *i}\n`)).toMatch(/spec\.ports\[0\]: expected a mapping/);
  });
});
