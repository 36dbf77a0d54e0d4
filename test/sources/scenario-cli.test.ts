// --scenario through the built binary (the bundle dist/ktrace-repl.js, after `npm run build`):
// shipped names resolve from the bundle's own place, a file runs from any working directory,
// the scenario's seed applies unless --seed is given, and a bad file is one line on stderr.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../dist/ktrace-repl.js", import.meta.url));
const elsewhere = mkdtempSync(join(tmpdir(), "ktrace-cwd-"));
const ktrace = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: elsewhere });

describe("ktrace-repl --scenario", () => {
  it("loads a shipped scenario by name from another directory, as --canned does", () => {
    const args = ["--format", "xtables-monitor", "--seed", "71508", "-e", "connect tcp 192.168.1.88:49058 -> 10.43.156.98:9898 payload 81"];
    const canned = ktrace(["--canned", "article", ...args]);
    const file = ktrace(["--scenario", "article", ...args]);
    expect(canned.status).toBe(0);
    expect(file.stderr).toBe(canned.stderr);
    expect(file.stdout).toBe(canned.stdout);
    expect(file.stdout.split("\n").length).toBeGreaterThan(20);
  });

  it("a file: its seed applies, --seed wins, load scenario works in a script", () => {
    const f = join(elsewhere, "s.yaml");
    writeFileSync(f, `title: seeded\nseed: 1234\nnode:\n  interfaces: [{name: eth0, addresses: [10.0.0.2/24]}]\n`);
    expect(ktrace(["--scenario", f, "-e", "seed"]).stderr).toMatch(/seed needs a whole number/);
    const own = ktrace(["--scenario", f, "-e", "show source", "-e", "route get 10.0.0.7"]);
    expect(own.status).toBe(0);
    expect(own.stdout).toBe("seeded\nkind: scenario\nno rules: every chain is empty and every packet is accepted\n10.0.0.7 dev eth0 src 10.0.0.2\n");
    // the seed decides the first packet's random IP id: the file's seed is used unless --seed says otherwise
    const id = (args: string[]) => /"id":(\d+)/.exec(ktrace([...args, "--format", "json", "-e", "send udp 10.0.0.2:5000 -> 10.0.0.7:53"]).stdout)?.[1];
    const withFile = id(["--scenario", f]);
    expect(withFile).toBeDefined();
    expect(id(["--scenario", f, "--seed", "1234"])).toBe(withFile);
    expect(id(["--scenario", f, "--seed", "1"])).not.toBe(withFile);
    const loaded = ktrace(["-e", `load scenario ${f}`, "-e", "show source"]);
    expect(loaded.stdout).toMatch(/^loaded seeded: 0 tables, 0 rules\n/);
  });

  it("a bad file: one line on stderr naming file:line:column and the field, exit 1", () => {
    const f = join(elsewhere, "bad.yaml");
    writeFileSync(f, `title: t\nnode:\n  interfaces:\n    - {name: eth0, addresses: [10.0.0.2/24]}\n  routes:\n    - default via 10.0.0.1 dev eht0\n`);
    const r = ktrace(["--scenario", f, "-e", "show routes"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`ktrace-repl: ${f}:6:32: node.routes[0]: no interface "eht0" on this node (did you mean eth0?); interfaces: lo, eth0\n`);
    const missing = ktrace(["--scenario", "nosuch"]);
    expect(missing.stderr).toMatch(/no shipped scenario "nosuch" \(shipped: article, flannel-node, services\)/);
  });

  it("dist/sources (what notebooks import) finds the shipped scenarios too", async () => {
    const mod = (await import(new URL("../../dist/sources/scenario.js", import.meta.url).href)) as { shippedScenarioDir(): string | undefined; shippedScenarioNames(): string[] };
    expect(mod.shippedScenarioDir()).toBe(fileURLToPath(new URL("../../scenarios/", import.meta.url)));
    expect(mod.shippedScenarioNames()).toEqual(expect.arrayContaining(["article", "services", "flannel-node"]));
  });

  it("--help names it; a second source is refused", () => {
    expect(ktrace(["--help"]).stdout).toMatch(/--scenario FILE/);
    expect(ktrace(["--scenario", "article", "--canned", "article"]).stderr).toMatch(/only one source/);
  });
});
