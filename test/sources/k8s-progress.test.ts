// A --k8s load says what it is doing before it has a count (reading the objects and writing the
// rules takes seconds on a big cluster), then counts the generated rules' lines as it checks them.
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
    expect(first.value).toEqual({ done: 0, total: 0, stage: "reading the Services and EndpointSlices, writing kube-proxy's rules" });
    expect(progressBar(first.value as { done: number; total: number; stage?: string }, "lines")).toBe("reading the Services and EndpointSlices, writing kube-proxy's rules…");
    const counts: number[] = [];
    let r = steps.next();
    while (!r.done) {
      expect(r.value.total).toBeGreaterThan(0);
      counts.push(r.value.done);
      r = steps.next();
    }
    expect(counts.length).toBeGreaterThan(0);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(r.value.kind).toBe("k8s");
    expect(r.value.ruleset.tables.get("nat")!.chains.has("KUBE-SERVICES")).toBe(true);
  });
});
