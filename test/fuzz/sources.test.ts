// Snapshot files and Kubernetes YAML under fuzzing: a damaged file loads or is refused with a
// one-line error that names the file (and line where there is one) — never a crash or a hang.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { loadSnapshotText, SourceError } from "../../src/sources/load.js";
import { SnapshotError, writeSnapshot } from "../../src/sources/snapshot.js";
import { CANNED } from "../../src/sources/canned/index.js";
import { generateFromYaml, K8sInputError } from "../../src/sources/k8s/index.js";
import { isUserError } from "../../src/engine/parse/errors.js";
import { NodeDataError } from "../../src/sources/ip-json.js";
import { SsParseError } from "../../src/sources/ss.js";
import { fixturePath } from "../helpers/vectors.js";
import { fuzzParams, FUZZ_TIMEOUT } from "./budget.js";
import { applyEdits, edits, loadOrRefuse as refuseOrLoad } from "./damage.js";
import { loadScenarioText, shippedScenarioDir } from "../../src/sources/scenario.js";
import { nodeIo } from "../../src/sources/io.js";
import { join } from "node:path";

const c = CANNED.article!;
const SNAPSHOT = writeSnapshot({
  hostname: c.hostname,
  "iptables-save": c.rules,
  "ip -j addr": c.addrJson,
  "ip -j route show table all": c.routeJson,
  "ip -j rule": c.ruleJson,
  "ipset save": c.ipsets,
  "ss -Hlntu": "tcp LISTEN 0 4096 0.0.0.0:22 0.0.0.0:*\n",
  sysctl: Object.entries(c.sysctl).map(([k, v]) => `${k} = ${v}`).join("\n"),
});
const K8S = readFileSync(fixturePath("../k8s/fixtures/kube-proxy-overall.yaml"), "utf8");

const SCENARIO_DIR = shippedScenarioDir()!;
const SCENARIOS = ["services", "flannel-node"].map((n) => readFileSync(join(SCENARIO_DIR, `${n}.yaml`), "utf8"));

const USER_ERRORS = [SourceError, SnapshotError, K8sInputError, NodeDataError, SsParseError];

const isUser = (e: unknown) => isUserError(e) || USER_ERRORS.some((k) => e instanceof k);
const loadOrRefuse = (file: string, load: () => unknown) => refuseOrLoad(file, load, isUser);

describe("source files (fuzz)", () => {
  it("the intact snapshot and YAML load", () => {
    expect(loadOrRefuse("node.ktrace", () => loadSnapshotText(SNAPSHOT, "node.ktrace"))).toBe("ok");
    expect(loadOrRefuse("cluster.yaml", () => generateFromYaml(K8S, "cluster.yaml"))).toBe("ok");
    for (const text of SCENARIOS) expect(loadOrRefuse("s.yaml", () => loadScenarioText(nodeIo, text, "s.yaml", SCENARIO_DIR))).toBe("ok");
  });

  it("found by the fuzzers: an alias without its anchor, a JSON error quoting a line break", () => {
    expect(() => generateFromYaml("items:\n- *aService\n", "c.yaml")).toThrow(/^c\.yaml:2: not valid YAML\/JSON: unidentified alias "aService"/);
    const broken = SNAPSHOT.replace("## ip -j addr\n", "## ip -j addr\nrke2-agent-1\n");
    expect(loadOrRefuse("node.ktrace", () => loadSnapshotText(broken, "node.ktrace"))).toBe("refused");
  });

  it("damaged scenario files load or are refused with the file's name", () => {
    const seen = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(fc.nat(SCENARIOS.length - 1), edits, (which, es) => void seen[loadOrRefuse("s.yaml", () => loadScenarioText(nodeIo, applyEdits(SCENARIOS[which]!, es), "s.yaml", SCENARIO_DIR))]++),
      fuzzParams(),
    );
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  }, FUZZ_TIMEOUT);

  it("damaged snapshots load or are refused with the file's name", () => {
    const seen = { ok: 0, refused: 0 };
    fc.assert(fc.property(edits, (es) => void seen[loadOrRefuse("node.ktrace", () => loadSnapshotText(applyEdits(SNAPSHOT, es), "node.ktrace"))]++), fuzzParams());
    // both outcomes occur: the damage is neither always harmless nor always fatal
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  }, FUZZ_TIMEOUT);

  it("damaged Kubernetes YAML loads or is refused with the file's name", () => {
    const seen = { ok: 0, refused: 0 };
    fc.assert(fc.property(edits, (es) => void seen[loadOrRefuse("cluster.yaml", () => generateFromYaml(applyEdits(K8S, es), "cluster.yaml"))]++), fuzzParams());
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  }, FUZZ_TIMEOUT);
});
