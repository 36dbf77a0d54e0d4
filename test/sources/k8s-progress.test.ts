// A --k8s load says what it is doing before it has a count (reading the objects), counts the
// Service ports as it writes kube-proxy's rules, then the rules' lines as it checks them.
import { describe, expect, it } from "vitest";
import { loadK8sSteps } from "../../src/sources/load.js";
import { progressBar } from "../../src/format/progress.js";
import { noIo } from "../helpers/session.js";
import { readFileSync } from "node:fs";

describe("--k8s load progress", () => {
  it("yields its stage first, then the parser's line counts, and ends with the source", () => {
    const yaml = readFileSync(new URL("../k8s/fixtures/cluster.yaml", import.meta.url), "utf8");
    // a cluster big enough for the parser to report (it reports every 8,192 lines)
    const many = yaml + Array.from({ length: 12000 }, (_, i) => `- apiVersion: v1\n  kind: Service\n  metadata: {name: s${i}, namespace: bulk}\n  spec: {clusterIP: 10.${44 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}, ports: [{port: 80}]}\n`).join("");
    const io = { ...noIo, readFile: () => many };
    const steps = loadK8sSteps(io, "cluster.yaml");
    const first = steps.next();
    expect(first.done).toBe(false);
    expect(first.value).toEqual({ done: 0, total: 0, stage: "reading the Services and EndpointSlices" });
    expect(progressBar(first.value as { done: number; total: number; stage?: string }, "lines")).toBe("reading the Services and EndpointSlices…");
    // then the rules being written, counted in Service ports, then the rules' lines being checked
    const ports: number[] = [];
    const counts: number[] = [];
    let r = steps.next();
    while (!r.done) {
      expect(r.value.total).toBeGreaterThan(0);
      if (r.value.stage) {
        expect(counts).toEqual([]);
        expect(r.value).toMatchObject({ stage: "writing kube-proxy's rules", unit: "Service ports" });
        ports.push(r.value.done);
      } else counts.push(r.value.done);
      r = steps.next();
    }
    expect(ports.length).toBeGreaterThan(10);
    expect(progressBar({ done: 512, total: 12010, stage: "writing kube-proxy's rules", unit: "Service ports" }, "lines", 10)).toBe("writing kube-proxy's rules: ░░░░░░░░░░    4%  512 of 12,010 Service ports");
    expect(counts.length).toBeGreaterThan(0);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(r.value.kind).toBe("k8s");
    expect(r.value.ruleset.tables.get("nat")!.chains.has("KUBE-SERVICES")).toBe(true);
  });
});
