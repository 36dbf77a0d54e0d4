// Every notebook in notebooks/ runs top to bottom in real Jupyter (`jupyter nbconvert --to
// notebook --execute`) with the kernels a user installs (`ktrace-repl kernel install --tslab`),
// here into a temporary prefix, never the user's own directories. A notebook passes when no
// cell errs or writes to stderr, every cell ran, and what the lessons say you should see is in
// the executed outputs. One more notebook, outside the repository, imports the API as a package
// (`import { Ktrace } from "ktrace"`), as a tslab user's own project would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseLesson, missingLines } from "../../src/lessons/parse.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const PYTHON = "/usr/bin/python3";
const notebooksDir = join(root, "notebooks");
const hasJupyter = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import nbconvert, nbclient, jupyter_client"]).status === 0;
const CI = process.env.CI === "true";

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  source: string[];
  execution_count?: number | null;
  outputs?: Output[];
}
interface Nb {
  cells: Cell[];
  metadata: { kernelspec: { name: string }; ktrace?: { generated_from?: string } };
}

const join_ = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join("") : (t ?? ""));
const plain = (o: Output) => join_(o.text) + join_(o.data?.["text/plain"]);
const isComment = (c: Cell) => c.source.join("").split("\n").every((l) => !l.trim() || l.trim().startsWith("#"));

describe.skipIf(!hasJupyter && !CI)(`notebooks run in Jupyter (nbconvert --execute)${hasJupyter ? "" : " — skipped: /usr/bin/python3 lacks nbconvert/nbclient/jupyter_client (apt-get install jupyter-nbconvert python3-nbclient jupyter-client; CI installs them)"}`, () => {
  const notebooks = readdirSync(notebooksDir).filter((f) => f.endsWith(".ipynb")).sort();
  let tmp = "";
  let outDir = "";
  let projectNb = "";
  const runs = new Map<string, { status: number | null; stderr: string }>();
  let ms = 0;

  beforeAll(async () => {
    if (!existsSync(join(root, "dist/ktrace-repl.js")) || !existsSync(join(root, "dist/api.js"))) throw new Error("dist/ is not built: run npm run build first (npm test does)");
    tmp = mkdtempSync(join(tmpdir(), "ktrace-nb-"));
    outDir = join(tmp, "out");
    const env = {
      ...process.env,
      JUPYTER_PATH: join(tmp, "share/jupyter"),
      JUPYTER_DATA_DIR: join(tmp, "data"),
      JUPYTER_RUNTIME_DIR: join(tmp, "runtime"),
      JUPYTER_CONFIG_DIR: join(tmp, "config"),
      XDG_STATE_HOME: join(tmp, "state"), // lesson progress goes here, not to the user's
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
    };
    const install = spawnSync(process.execPath, [join(root, "dist/ktrace-repl.js"), "kernel", "install", "--prefix", tmp, "--tslab", "--python", PYTHON], { env, encoding: "utf8" });
    if (install.status !== 0) throw new Error(`kernel install failed:\n${install.stdout}${install.stderr}`);
    for (const k of ["ktrace", "tslab"]) if (!existsSync(join(tmp, "share/jupyter/kernels", k, "kernel.json"))) throw new Error(`kernel install did not write the ${k} kernelspec`);

    // a user's own project: ktrace installed in node_modules, a notebook importing it by name
    const project = join(tmp, "project");
    mkdirSync(join(project, "node_modules"), { recursive: true });
    symlinkSync(root.replace(/\/$/, ""), join(project, "node_modules", "ktrace"), "dir");
    projectNb = join(project, "uses-package.ipynb");
    const cell = (id: string, src: string) => ({ cell_type: "code", id, metadata: {}, execution_count: null, outputs: [], source: [src] });
    writeFileSync(
      projectNb,
      JSON.stringify({
        cells: [
          cell("import", 'import { Ktrace, type WalkData } from "ktrace";\nconst k = Ktrace.open({ seed: 71508 });\nconst w: WalkData = k.send("tcp 192.168.1.88:49058 -> 10.43.156.98:9898");\nconsole.log(`SEP=${w.sep} DNAT=${w.dnat}`);'),
          cell("show", 'k.show("diagram");'),
        ],
        metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
        nbformat: 4,
        nbformat_minor: 5,
      }),
    );

    // one nbconvert per notebook: a single nbconvert given several notebooks keeps the first one's
    // kernel for all of them. Two at a time (CI has two cores). A kernel starts in about a second
    // alone, but CI runs the fuzzers and the browser beside it on two cores: nbclient's default
    // 60 s to answer kernel_info was once not enough (a CI run), so starting may take 300 s.
    const execute = (path: string) =>
      new Promise<void>((done) => {
        const child = spawn(PYTHON, ["-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--allow-errors", "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.startup_timeout=300", "--output-dir", outDir, path], { env, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("close", (status) => {
          runs.set(path.replace(/^.*\//, ""), { status, stderr });
          done();
        });
      });
    // lesson 1 as a learner who answers every checkpoint right: the answer cells filled in
    const lesson1 = notebooks.find((f) => f.startsWith("01-"))!;
    const answered = JSON.parse(readFileSync(join(notebooksDir, lesson1), "utf8")) as Nb;
    const from = parseLesson(readFileSync(join(root, answered.metadata.ktrace!.generated_from!), "utf8"));
    const checkpoints = from.sections.flatMap((sec) => (sec.checkpoint ? [sec.checkpoint] : []));
    const answerCells = answered.cells.filter((c) => c.source.join("").startsWith("# your answer"));
    expect(answerCells.length).toBe(checkpoints.length);
    answerCells.forEach((c, i) => (c.source = [`answer ${checkpoints[i]!.expect ?? checkpoints[i]!.accept![0]}`]));
    mkdirSync(join(tmp, "answered"));
    writeFileSync(join(tmp, "answered", "answered.ipynb"), JSON.stringify(answered));

    const queue = [...notebooks.map((f) => join(notebooksDir, f)), projectNb, join(tmp, "answered", "answered.ipynb")];
    const started = Date.now();
    await Promise.all([0, 1].map(async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await execute(next);
    }));
    ms = Date.now() - started;
    console.log(`nbconvert executed ${runs.size} notebooks in ${(ms / 1000).toFixed(1)} s`);
  }, 30 * 60_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("nbconvert ran them all", () => {
    expect(notebooks.length).toBeGreaterThan(2);
    const failed = [...runs].filter(([, r]) => r.status !== 0).map(([name, r]) => `${name}:\n${r.stderr.split("\n").slice(-12).join("\n")}`);
    expect(failed).toEqual([]);
    expect(runs.size).toBe(notebooks.length + 2);
  });

  const executed = (name: string): Nb => {
    const path = join(outDir, name);
    if (!existsSync(path)) throw new Error(`nbconvert wrote no ${name}:\n${runs.get(name)?.stderr.split("\n").slice(-30).join("\n")}`);
    return JSON.parse(readFileSync(path, "utf8")) as Nb;
  };

  /** Every problem of an executed notebook: errors, stderr, cells that did not run or said nothing. */
  const problems = (name: string, nb: Nb): string[] => {
    const found: string[] = [];
    nb.cells.forEach((c, i) => {
      if (c.cell_type !== "code") return;
      const outs = c.outputs ?? [];
      const where = `${name} cell ${i} (${c.source.join("").split("\n").filter((l) => !l.startsWith("#"))[0] ?? ""})`;
      for (const o of outs) {
        if (o.output_type === "error") found.push(`${where}: ${o.ename}: ${o.evalue}`);
        // tslab writes compile errors to stderr. The ktrace kernel sends its errors as error outputs
        // and a command's notes to stderr — "(nothing traced: …)", "expected from the statistic
        // rules: …", said to the person as the REPL says them — so for it stderr is not an error.
        const ktraceNote = nb.metadata.kernelspec.name === "ktrace" && !outs.some((x) => x.output_type === "error");
        if (o.output_type === "stream" && o.name === "stderr" && !ktraceNote) found.push(`${where}: stderr: ${join_(o.text)}`);
      }
      if (isComment(c)) return;
      // every cell of these notebooks says something; tslab leaves execution_count empty, so a cell's
      // outputs are the proof that it ran
      if (!outs.length) found.push(`${where}: no output (did it run?)`);
    });
    return found;
  };

  for (const name of notebooks) {
    it(name, () => {
      const nb = executed(name);
      expect(problems(name, nb)).toEqual([]);
      const from = nb.metadata.ktrace?.generated_from;
      if (from) {
        // what the lesson says you should see is what the kernel showed, block by block
        const lesson = parseLesson(readFileSync(join(root, from), "utf8"), from);
        const cells = nb.cells.filter((c) => c.cell_type === "code" && !isComment(c) && !c.source.join("").endsWith("\nlesson next") && !/\nlesson \d+ 1$/.test(c.source.join("")));
        expect(cells.map((c) => c.source.join(""))).toEqual(lesson.steps.map((s) => s.commands.join("\n")));
        lesson.steps.forEach((step, i) => {
          const text = (cells[i]!.outputs ?? []).map(plain).join("\n");
          expect(missingLines(text, step.expect), `${name}: ${step.commands.join("; ")}`).toEqual([]);
        });
      }
    });
  }

  it("sandbox: the curl's SYN drawn through OUTPUT's nat and POSTROUTING to vxlan.calico", () => {
    const nb = executed("sandbox.ipynb");
    const diagrams = nb.cells.filter((c) => c.source.join("").trim() === "diagram").flatMap((c) => c.outputs ?? []);
    const svg = join_(diagrams[0]?.data?.["image/svg+xml"]);
    expect(svg).toMatch(/class="ktrace-path"/);
    expect(svg).toMatch(/data-box="OUTPUT\/nat" data-visited="true"/);
    expect(svg).toMatch(/data-box="POSTROUTING\/nat" data-visited="true"/);
    expect(svg).toMatch(/data-box="PREROUTING\/nat" data-visited="false"/);
    expect(svg).toContain("vxlan.calico");
  });

  it("loadbalancing: 1,000 connections counted and charted, the naive variant skewed", () => {
    const nb = executed("loadbalancing.ipynb");
    const outs = nb.cells.flatMap((c) => c.outputs ?? []);
    const charts = outs.filter((o) => o.data?.["image/svg+xml"] || join_(o.data?.["text/html"]).includes("<svg"));
    expect(charts.length).toBeGreaterThanOrEqual(4); // the two-pod chart, stats, two variants
    const text = outs.map(plain).join("\n");
    // the naive cascade's last pod: promised 4/9 of 1000
    expect(text).toMatch(/naive[\s\S]*KUBE-SEP-OYNVDBAPYJ623W6H'\s*│\s*\d+\s*│\s*444\.4/);
  });

  it("lesson 1 answered right: every checkpoint's answer cell says so", () => {
    const nb = executed("answered.ipynb");
    expect(problems("answered.ipynb", nb)).toEqual([]);
    const answers = nb.cells.filter((c) => c.source.join("").startsWith("answer "));
    expect(answers.length).toBeGreaterThan(0);
    for (const c of answers) expect((c.outputs ?? []).map(plain).join(""), c.source.join("")).toMatch(/^✓ Right/);
  });

  it("a project that installed ktrace imports it by name in tslab", () => {
    const nb = executed("uses-package.ipynb");
    expect(problems("uses-package.ipynb", nb)).toEqual([]);
    const outs = nb.cells.flatMap((c) => c.outputs ?? []);
    expect(outs.map(plain).join("")).toContain("SEP=KUBE-SEP-OYNVDBAPYJ623W6H DNAT=10.42.54.194:9898");
    expect(outs.some((o) => join_(o.data?.["text/html"]).includes("ktrace-path"))).toBe(true);
  });
});
