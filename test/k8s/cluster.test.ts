/**
 * The multi-Service fixture cluster: it loads with ktrace's parser and with the real kernel, and
 * what the kernel saves back is exactly what we generated.
 *
 * Why: "canonical iptables-save text" is a claim about the kernel and iptables 1.8.9, so it is
 * checked against them: iptables-restore into a throwaway namespace (k8g-<pid>-<n>), iptables-save,
 * compare (the "# Generated"/"# Completed" comment lines aside). Needs root and iptables; without
 * them the kernel part is skipped with a message, except under CI=true, where it fails.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { generateFromYaml, type K8sOptions } from "../../src/sources/k8s/index.js";
import { CI, kernelMissing, kernelRoundTrip, withoutComments } from "./helpers.js";

const CLUSTER = readFileSync(new URL("./fixtures/cluster.yaml", import.meta.url), "utf8");
const NODE: K8sOptions = { nodeName: "node-a", nodeIp: "192.168.1.87" };
const CALICO_IPSETS = ["cali40all-vxlan-net", "cali40masq-ipam-pools", "cali40all-ipam-pools"];
const variants: [string, K8sOptions][] = [
  ["no CNI", NODE],
  ["flannel", { ...NODE, cni: "flannel" }],
  ["calico", { ...NODE, cni: "calico" }],
];

describe("the fixture cluster", () => {
  const { rules } = generateFromYaml(CLUSTER, "cluster.yaml", NODE);

  for (const [name, opts] of variants) {
    it(`loads with parseRuleset (${name})`, () => {
      const text = generateFromYaml(CLUSTER, "cluster.yaml", opts).rules;
      const rs = parseRuleset(text, { file: "cluster.rules" });
      expect([...rs.tables.keys()].sort()).toEqual(name === "calico" ? ["filter", "mangle", "nat", "raw"] : ["filter", "mangle", "nat"]);
    });
  }

  it("has every Service kind of the fixture", () => {
    const has = (re: RegExp) => expect(rules).toMatch(re);
    has(/-A KUBE-SVC-Y4T5L63IYP3YFEBS .* -j KUBE-SEP-OYNVDBAPYJ623W6H$/m); // ClusterIP
    has(/-A KUBE-NODEPORTS -p tcp -m comment --comment "shop\/web:http" -m tcp --dport 30080 -j KUBE-EXT-/m); // NodePort
    has(/-A KUBE-PROXY-FIREWALL -d 192\.168\.1\.200\/32 .* -j DROP$/m); // LoadBalancer + source ranges
    has(/-A KUBE-FW-\S+ -s 192\.168\.1\.200\/32 /m); // node inside a source range
    has(/-A KUBE-EXT-\S+ -j KUBE-SVL-/m); // externalTrafficPolicy Local
    has(/-A KUBE-NODEPORTS -p tcp -m comment --comment "edge\/ingress:http health check node port" -m tcp --dport 32000 -j ACCEPT$/m);
    has(/-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-/m); // affinity
    has(/"podinfo\/backend-podinfo:http has no endpoints" -m tcp --dport 9898 -j REJECT --reject-with icmp-port-unreachable$/m);
    has(/"kube-system\/kube-dns:dns -> [\d.:]+" -m statistic --mode random --probability 0\.33333333349 /m); // UDP, 3 endpoints
    expect(rules).not.toMatch(/10\.42\.217\.11/); // not ready and not serving: never used
  });

  it("flannel's node subnet is the /24 of the node's own pods", () => {
    const text = generateFromYaml(CLUSTER, "cluster.yaml", { ...NODE, cni: "flannel" }).rules;
    expect(text).toContain('-A FLANNEL-POSTRTG -s 10.42.54.0/24 -d 10.42.0.0/16 -m comment --comment "flanneld masq" -j RETURN');
    expect(text.split("\n").filter((l) => l.startsWith("-A FORWARD")).at(-1)).toBe('-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD');
  });

  it("calico's jumps come before kube-proxy's", () => {
    const text = generateFromYaml(CLUSTER, "cluster.yaml", { ...NODE, cni: "calico" }).rules;
    const nat = text.split("*nat")[1]!;
    expect(nat.split("\n").filter((l) => l.startsWith("-A PREROUTING"))).toEqual([
      '-A PREROUTING -m comment --comment "cali:6gwbT8clXdHdC1b1" -j cali-PREROUTING',
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    ]);
  });
});

const missing = kernelMissing();
if (missing && !CI) console.warn(`[k8s] SKIPPED kernel round trip: needs ${missing} (run as root with iptables; CI=true makes this a failure)`);
const kernel = !missing || CI ? describe : describe.skip;

kernel("the fixture cluster in the real kernel", () => {
  for (const [name, opts] of variants) {
    it(`iptables-save prints back exactly the generated text (${name})`, () => {
      if (missing) throw new Error(`kernel round trip cannot run (CI=true, so this is a failure): needs ${missing}`);
      const text = generateFromYaml(CLUSTER, "cluster.yaml", opts).rules;
      const saved = kernelRoundTrip(text, name === "calico" ? CALICO_IPSETS : []);
      expect(withoutComments(saved)).toBe(withoutComments(text));
    });
  }

  it("kube-proxy's own test expectation, saved by this kernel, is the checked-in oracle", () => {
    if (missing) throw new Error(`kernel round trip cannot run: needs ${missing}`);
    const oracle = readFileSync(new URL("./fixtures/kube-proxy-overall.saved", import.meta.url), "utf8");
    expect(withoutComments(kernelRoundTrip(oracle))).toBe(withoutComments(oracle));
  });
});
