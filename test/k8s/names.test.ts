/**
 * Chain names, probabilities and decoding.
 *
 * Why: the names are kube-proxy's sha256/base32 hashes and the probabilities are what the kernel
 * stores; both must match a real node to the character, or a learner's trace will not line up
 * with theirs. Expected names come from the article's node and kube-proxy's own tests.
 */
import { describe, expect, it } from "vitest";
import { ARTICLE_RULES } from "../../src/sources/canned/article-rules.js";
import { RulesetNames, decodeFromRules, decodeFromRuleset, generateFromYaml } from "../../src/sources/k8s/index.js";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { endpointChain, portChains, savedProbability, servicePortName } from "../../src/sources/k8s/names.js";

describe("kube-proxy chain names", () => {
  it("hash the service port name and protocol (the article's podinfo frontend)", () => {
    const spn = servicePortName("podinfo", "frontend-podinfo", "http");
    expect(spn).toBe("podinfo/frontend-podinfo:http");
    expect(portChains(spn, "tcp")).toEqual({
      svc: "KUBE-SVC-Y4T5L63IYP3YFEBS",
      svl: "KUBE-SVL-Y4T5L63IYP3YFEBS",
      ext: "KUBE-EXT-Y4T5L63IYP3YFEBS",
      fw: "KUBE-FW-Y4T5L63IYP3YFEBS",
    });
    expect(endpointChain(spn, "tcp", "10.42.54.194:9898")).toBe("KUBE-SEP-OYNVDBAPYJ623W6H");
    expect(endpointChain(spn, "tcp", "10.42.217.66:9898")).toBe("KUBE-SEP-6G2GMHWEBXQ5W3DV");
  });

  it("match names seen on real nodes and in kube-proxy's tests", () => {
    expect(portChains("default/kubernetes:https", "tcp").svc).toBe("KUBE-SVC-NPX46M4PTMTKRN6Y");
    expect(portChains("kube-system/kube-dns:dns", "udp").svc).toBe("KUBE-SVC-TCOU7JCQXEZGVUNU");
    expect(portChains("kube-system/kube-dns:dns-tcp", "tcp").svc).toBe("KUBE-SVC-ERIFXISQEP7F7OF4");
    expect(portChains("ns1/svc1:p80", "tcp").svc).toBe("KUBE-SVC-XPGD46QRK7WJZT7O");
    expect(portChains("ns5/svc5:p80", "tcp").fw).toBe("KUBE-FW-NUKIZ6OKUXPJNT4C");
    expect(endpointChain("ns1/svc1:p80", "tcp", "10.180.0.1:80")).toBe("KUBE-SEP-SXIVWICOYRO3J4NJ");
  });

  it("leave the port out of an unnamed port's name (and of its comments)", () => {
    expect(servicePortName("my-namespace", "my-app", "")).toBe("my-namespace/my-app");
    // an EKS node: -A KUBE-SERVICES ... "my-namespace/my-app cluster IP" ... -j KUBE-SVC-HLZB4VDDFP2JZATZ
    expect(portChains("my-namespace/my-app", "tcp").svc).toBe("KUBE-SVC-HLZB4VDDFP2JZATZ");
    expect(endpointChain("my-namespace/my-app", "tcp", "172.31.9.169:80")).toBe("KUBE-SEP-AGFPHYEWW47W3NWH");
  });

  it("print probabilities as the kernel stores them", () => {
    expect(savedProbability(2)).toBe("0.50000000000");
    expect(savedProbability(3)).toBe("0.33333333349");
    expect(savedProbability(4)).toBe("0.25000000000");
    expect(savedProbability(5)).toBe("0.20000000019");
    expect(savedProbability(7)).toBe("0.14285714272");
  });
});

const PODINFO = `
apiVersion: v1
kind: Service
metadata: {name: frontend-podinfo, namespace: podinfo}
spec:
  clusterIP: 10.43.156.98
  type: NodePort
  ports: [{name: http, port: 9898, nodePort: 30898}, {port: 53, protocol: UDP}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: frontend-podinfo-a, namespace: podinfo, labels: {kubernetes.io/service-name: frontend-podinfo}}
addressType: IPv4
endpoints: [{addresses: [10.42.54.194]}, {addresses: [10.42.217.66]}]
ports: [{name: http, port: 9898, protocol: TCP}, {name: "", port: 5353, protocol: UDP}]
`;

describe("decoding", () => {
  it("names every chain the generated ruleset uses", () => {
    const { rules, names } = generateFromYaml(PODINFO, "podinfo.yaml");
    expect(names.decode("KUBE-SVC-Y4T5L63IYP3YFEBS")).toBe("KUBE-SVC-Y4T5L63IYP3YFEBS = Service podinfo/frontend-podinfo port http (tcp)");
    expect(names.decode("KUBE-SEP-OYNVDBAPYJ623W6H")).toBe("KUBE-SEP-OYNVDBAPYJ623W6H = endpoint 10.42.54.194:9898 of Service podinfo/frontend-podinfo port http (tcp)");
    expect(names.decode("KUBE-EXT-Y4T5L63IYP3YFEBS")).toMatch(/^KUBE-EXT-Y4T5L63IYP3YFEBS = Service podinfo\/frontend-podinfo port http \(tcp\), traffic to its external/);
    expect(names.decode(portChains("podinfo/frontend-podinfo", "udp").svc)).toMatch(/= Service podinfo\/frontend-podinfo \(udp\)$/);
    expect(names.decode("KUBE-SERVICES")).toMatch(/^KUBE-SERVICES = kube-proxy's entry chain/);
    expect(names.decode("KUBE-SVC-AAAAAAAAAAAAAAAA")).toBeUndefined();
    expect(names.decode("cali-FORWARD")).toBeUndefined();
    for (const chain of rules.match(/^:KUBE-\S+/gm)!) expect(names.decode(chain.slice(1)), chain).toBeDefined();
  });

  it("learns a foreign ruleset's names from kube-proxy's comments (the article's node)", () => {
    const names = decodeFromRules(ARTICLE_RULES);
    expect(names.decode("KUBE-SVC-Y4T5L63IYP3YFEBS")).toBe("KUBE-SVC-Y4T5L63IYP3YFEBS = Service podinfo/frontend-podinfo port http (tcp)");
    expect(names.decode("KUBE-SEP-OYNVDBAPYJ623W6H")).toBe("KUBE-SEP-OYNVDBAPYJ623W6H = endpoint 10.42.54.194:9898 of Service podinfo/frontend-podinfo port http (tcp)");
    expect(names.decode("KUBE-SEP-6G2GMHWEBXQ5W3DV")).toMatch(/= endpoint 10\.42\.217\.66:9898 of/);
    expect(names.decode("KUBE-SVC-YFPH5LFNKP7E3G4L")).toBe("KUBE-SVC-YFPH5LFNKP7E3G4L = Service kube-system/rke2-coredns-rke2-coredns port udp-53 (udp)");
    expect(names.decode("KUBE-EXT-BLTTHJCP2TRUVAEH")).toMatch(/= Service kube-system\/rke2-ingress-nginx-controller port http \(tcp\), traffic to its external/);
    for (const chain of ARTICLE_RULES.match(/^:KUBE-\S+/gm)!) expect(names.decode(chain.slice(1)), chain).toBeDefined();
  });

  it("learns names from a generated ruleset as well as the generator knows them", () => {
    const { rules, names } = generateFromYaml(PODINFO, "podinfo.yaml");
    const learnt = decodeFromRules(rules);
    for (const chain of rules.match(/^:KUBE-\S+/gm)!) expect(learnt.decode(chain.slice(1))).toBe(names.decode(chain.slice(1)));
  });

  it("reading a loaded ruleset's structure learns exactly what reading its text learns", () => {
    const big = generateFromYaml(PODINFO, "podinfo.yaml").rules;
    for (const [label, text] of [["article", ARTICLE_RULES], ["generated", big]] as const) {
      const fromText = decodeFromRules(text);
      const fromRules = decodeFromRuleset(parseRuleset(text, { file: label }));
      const chains = text.match(/^:KUBE-\S+/gm)!.map((c) => c.slice(1));
      expect(chains.length, label).toBeGreaterThan(5);
      for (const chain of chains) expect(fromRules.decode(chain), `${label} ${chain}`).toBe(fromText.decode(chain));
    }
  });

  it("decoding chain by chain, when asked, gives what decoding the whole ruleset gives (kube-proxy rulesets, comments dropped too)", () => {
    const generated = generateFromYaml(PODINFO, "podinfo.yaml").rules;
    // large-cluster mode drops the comments on KUBE-SVC rules: their names come from the jumps to them
    const noSvcComments = generated.replace(/^(-A KUBE-SVC-\S+ .*?)-m comment --comment (?:"[^"]*"|\S+) /gm, "$1");
    // and with no comment in a chain nor on its callers, from anywhere in the ruleset
    const bare = ARTICLE_RULES.replace(/^(-A KUBE-(?:SERVICES|SVC-)\S* .*?)-m comment --comment (?:"[^"]*"|\S+) /gm, "$1");
    expect(noSvcComments).not.toBe(generated);
    expect(bare).not.toBe(ARTICLE_RULES);
    let decoded = 0;
    for (const [label, text] of [["article", ARTICLE_RULES], ["generated", generated], ["no KUBE-SVC comments", noSvcComments], ["bare", bare]] as const) {
      const rs = parseRuleset(text, { file: label });
      const whole = decodeFromRuleset(rs);
      const lazy = new RulesetNames(rs);
      for (const chain of [...text.match(/^:\S+/gm)!.map((c) => c.slice(1)), "KUBE-SVC-AAAAAAAAAAAAAAAA", "cali-INPUT"]) {
        expect(lazy.decode(chain), `${label} ${chain}`).toBe(whole.decode(chain));
        if (whole.decode(chain)) decoded++;
      }
    }
    expect(decoded).toBeGreaterThan(40);
  });
});
