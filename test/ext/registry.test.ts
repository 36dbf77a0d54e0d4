// Every extension module registered in src/engine/ext/registry.ts has its packet→match vectors:
// test/ext/match/<name>.test.ts or test/ext/target/<NAME>.test.ts. A newcomer who adds a module
// without vectors gets a failing test naming the file to write.
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MATCHES, TARGETS } from "../../src/engine/ext/registry.js";

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

describe("extension vectors", () => {
  const wanted = [
    ...[...MATCHES.keys()].map((n) => `match/${n}.test.ts`),
    ...[...TARGETS.keys()].map((n) => `target/${n}.test.ts`),
  ];
  it("the registry is not empty (so the checks below check something)", () => {
    expect(MATCHES.size).toBeGreaterThan(10);
    expect(TARGETS.size).toBeGreaterThan(5);
  });
  it.each(wanted)("test/ext/%s exists and runs vectors", (file) => {
    const path = here(`./${file}`);
    expect(existsSync(path), `missing test/ext/${file}: write the module's packet→match vectors (see test/helpers/ext-vectors.ts)`).toBe(true);
    expect(readFileSync(path, "utf8"), `test/ext/${file} registers no vectors([...])`).toMatch(/\bvectors\(\[/);
  });
  it("no vector file is left for a module that is not registered", () => {
    const have = ["match", "target"].flatMap((dir) => readdirSync(here(`./${dir}`)).filter((f) => f.endsWith(".test.ts")).map((f) => `${dir}/${f}`));
    expect(have.filter((f) => !wanted.includes(f))).toEqual([]);
  });
});
