// A real browser runs the sandbox notebook: Debian's classic Jupyter Notebook server on
// 127.0.0.1 (a free port, our own token) with the ktrace kernel installed in a temporary prefix,
// and Debian's Chromium, headless, driven by puppeteer-core (nothing downloaded). All cells run
// with the ktrace kernel; then the page must show the hook diagram with the curl's path drawn —
// checked in the DOM (the path's points pass through the boxes the SYN visits, and not through
// the ones it does not) and in the pixels of the screenshot (the path's colour where the path
// is, none where it is not). The screenshot is kept: test/artifacts/sandbox.png.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

// the functions passed to page.evaluate run in the page: its globals, untyped here (the project's
// TypeScript has no DOM library, and adding one would change every file's types)
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any, document: any, getComputedStyle: any, Image: any;

const root = fileURLToPath(new URL("../../", import.meta.url));
const PYTHON = "/usr/bin/python3";
const CHROMIUM = "/usr/bin/chromium";
const ARTIFACT = join(root, "test/artifacts/sandbox.png");
const hasNotebook = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import notebook"]).status === 0;
const hasChromium = existsSync(CHROMIUM);
const CI = process.env.CI === "true";
const missing = [!hasNotebook && "the classic notebook server (apt-get install jupyter-notebook)", !hasChromium && "chromium (apt-get install chromium)"].filter(Boolean).join(" and ");

/** The boxes the article's SYN goes through, in the diagram's ids, and boxes it never enters. */
const VISITED = ["OUTPUT/raw", "OUTPUT/mangle", "OUTPUT/nat", "OUTPUT/filter", "POSTROUTING/mangle", "POSTROUTING/nat", "out"];
const NOT_VISITED = ["PREROUTING/raw", "PREROUTING/nat", "INPUT/filter", "FORWARD/filter", "in"];
/** The path's stroke colour in the diagram (#d9480f). */
const PATH_RGB = [0xd9, 0x48, 0x0f];

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });

describe.skipIf(!!missing && !CI)(`the sandbox notebook in a real browser${missing ? ` — skipped: needs ${missing}` : ""}`, () => {
  let tmp = "";
  let server: ChildProcess | undefined;
  let serverLog = "";
  let browser: Browser | undefined;
  let page: Page;
  let base = "";
  const token = randomBytes(16).toString("hex");

  beforeAll(async () => {
    if (!existsSync(join(root, "dist/ktrace-repl.js"))) throw new Error("dist/ is not built: run npm run build first (npm test does)");
    tmp = mkdtempSync(join(tmpdir(), "ktrace-browser-"));
    const env = {
      ...process.env,
      JUPYTER_PATH: join(tmp, "share/jupyter"),
      JUPYTER_DATA_DIR: join(tmp, "data"),
      JUPYTER_RUNTIME_DIR: join(tmp, "runtime"),
      JUPYTER_CONFIG_DIR: join(tmp, "config"),
      XDG_STATE_HOME: join(tmp, "state"),
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
    };
    const install = spawnSync(process.execPath, [join(root, "dist/ktrace-repl.js"), "kernel", "install", "--prefix", tmp, "--python", PYTHON], { env, encoding: "utf8" });
    if (install.status !== 0) throw new Error(`kernel install failed:\n${install.stdout}${install.stderr}`);
    // the server works on a copy: saving or autosaving must not touch notebooks/
    const work = join(tmp, "work");
    mkdirSync(work);
    copyFileSync(join(root, "notebooks/sandbox.ipynb"), join(work, "sandbox.ipynb"));

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(PYTHON, ["-m", "notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", `--NotebookApp.token=${token}`, `--notebook-dir=${work}`, ...(process.getuid?.() === 0 ? ["--allow-root"] : [])], { env, stdio: ["ignore", "pipe", "pipe"] });
    server.stdout!.on("data", (d: Buffer) => (serverLog += d.toString()));
    server.stderr!.on("data", (d: Buffer) => (serverLog += d.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`${base}/api/status?token=${token}`)).ok) break;
      } catch {
        // not listening yet
      }
      if (server.exitCode !== null || Date.now() > deadline) throw new Error(`the notebook server did not start:\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 300));
    }

    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: join(tmp, "chromium"),
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--font-render-hinting=none"],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      if (server.exitCode === null) server.kill("SIGKILL");
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("runs every cell with the ktrace kernel and draws the curl's path on the diagram", async () => {
    await page.goto(`${base}/notebooks/sandbox.ipynb?token=${token}`, { waitUntil: "networkidle2", timeout: 60_000 });
    // the ktrace kernel connected (the notebook names it in its metadata)
    await page.waitForFunction(() => {
      const nb = (window as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected?: () => boolean; name?: string } } } }).Jupyter?.notebook;
      return nb?.kernel?.is_connected?.() === true;
    }, { timeout: 60_000 });
    const kernelName = await page.evaluate(() => (window as unknown as { Jupyter: { notebook: { kernel: { name: string } } } }).Jupyter.notebook.kernel.name);
    expect(kernelName).toBe("ktrace");

    // Cell → Run All, through the notebook's own API, and wait until every cell has run
    await page.evaluate(() => {
      const nb = (window as unknown as { Jupyter: { notebook: { clear_all_output(): void; execute_all_cells(): void } } }).Jupyter.notebook;
      nb.clear_all_output();
      nb.execute_all_cells();
    });
    await page.waitForFunction(
      () => {
        type C = { cell_type: string; input_prompt_number?: number | string | null };
        const nb = (window as unknown as { Jupyter: { notebook: { get_cells(): C[] } } }).Jupyter.notebook;
        const idle = document.querySelector("#kernel_indicator_icon")?.classList.contains("kernel_idle_icon");
        return idle && nb.get_cells().filter((c) => c.cell_type === "code").every((c) => typeof c.input_prompt_number === "number");
      },
      { timeout: 180_000, polling: 500 },
    );

    const errors = await page.$$eval(".output_error", (els: any[]) => els.map((e) => String(e.textContent ?? "")));
    expect(errors).toEqual([]);

    // the diagram of the whole walk: the output of the cell that is just `diagram`, after `continue`
    const found = await page.evaluate(
      (visited: string[], notVisited: string[]) => {
        type C = { cell_type: string; get_text(): string; element: ArrayLike<any> };
        const cells = (window as unknown as { Jupyter: { notebook: { get_cells(): C[] } } }).Jupyter.notebook.get_cells();
        const cell = cells.find((c, i) => c.cell_type === "code" && c.get_text().trim() === "diagram" && cells.slice(0, i).some((p) => p.get_text().trim() === "continue"));
        const svg = cell?.element[0]?.querySelector(".output_area svg.ktrace-diagram");
        const path = svg?.querySelector(".ktrace-path");
        if (!svg || !path) return { ok: false as const, why: `no diagram with a path (cells: ${cells.map((c) => c.get_text().split("\n")[0]).join(" | ")})` };
        svg.scrollIntoView({ block: "center" });
        const pts = [...path.points].map((p: any) => [p.x, p.y] as [number, number]);
        const ctm = svg.getScreenCTM();
        const box = (id: string) => {
          const r = svg.querySelector(`[data-box="${id}"] rect`);
          if (!r) return undefined;
          const b = { x: r.x.baseVal.value, y: r.y.baseVal.value, w: r.width.baseVal.value, h: r.height.baseVal.value };
          const through = pts.filter(([x, y]) => x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h);
          // the box's centre of the path (or of the box) on screen, for the pixel check
          const [px, py] = through[0] ?? [b.x + b.w / 2, b.y + b.h / 2];
          const pt = svg.createSVGPoint();
          pt.x = px;
          pt.y = py;
          const s = pt.matrixTransform(ctm);
          return { id, through: through.length, screen: [s.x, s.y] as [number, number], visitedAttr: r.parentElement?.getAttribute("data-visited") as string | null };
        };
        const rect = svg.getBoundingClientRect();
        return {
          ok: true as const,
          stroke: getComputedStyle(path).stroke,
          points: pts.length,
          visited: visited.map(box),
          notVisited: notVisited.map(box),
          clip: { x: rect.x, y: rect.y, width: rect.width, height: rect.height },
          dpr: window.devicePixelRatio,
        };
      },
      VISITED,
      NOT_VISITED,
    );
    if (!found.ok) throw new Error(found.why);
    expect(found.points).toBeGreaterThan(VISITED.length);
    expect(found.stroke).toBe(`rgb(${PATH_RGB.join(", ")})`);
    for (const b of found.visited) {
      expect(b, "a box the SYN visits is missing from the diagram").toBeDefined();
      expect(b!.through, `the path passes through ${b!.id}`).toBeGreaterThan(0);
      expect(b!.visitedAttr).toBe("true");
    }
    for (const b of found.notVisited) {
      expect(b, "a box is missing from the diagram").toBeDefined();
      expect(b!.through, `the path stays out of ${b!.id}`).toBe(0);
    }

    // the pixels: the screenshot shows the path's colour on the boxes it visits, none on the others
    mkdirSync(join(root, "test/artifacts"), { recursive: true });
    const png = await page.screenshot({ path: ARTIFACT, fullPage: false });
    console.log(`screenshot: ${ARTIFACT}`);
    const pixels = await page.evaluate(
      async (b64: string, probes: { id: string; at: [number, number]; on: boolean }[], clip: { x: number; y: number; width: number; height: number }, rgb: number[], dpr: number) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext("2d")!;
        ctx.drawImage(img, 0, 0);
        const near = (r: number, g: number, b: number) => Math.abs(r - rgb[0]!) < 40 && Math.abs(g - rgb[1]!) < 40 && Math.abs(b - rgb[2]!) < 40;
        const count = (x0: number, y0: number, w: number, h: number) => {
          const d = ctx.getImageData(Math.round(x0 * dpr), Math.round(y0 * dpr), Math.max(1, Math.round(w * dpr)), Math.max(1, Math.round(h * dpr))).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (near(d[i]!, d[i + 1]!, d[i + 2]!)) n++;
          return n;
        };
        return {
          inDiagram: count(clip.x, clip.y, clip.width, clip.height),
          probes: probes.map((p) => ({ id: p.id, on: p.on, hits: count(p.at[0] - 7, p.at[1] - 7, 14, 14) })),
        };
      },
      Buffer.from(png).toString("base64"),
      [...found.visited.map((b) => ({ id: b!.id, at: b!.screen, on: true })), ...found.notVisited.map((b) => ({ id: b!.id, at: b!.screen, on: false }))],
      found.clip,
      PATH_RGB,
      found.dpr,
    );
    expect(pixels.inDiagram, "pixels of the path's colour in the diagram").toBeGreaterThan(1500);
    for (const p of pixels.probes) {
      if (p.on) expect(p.hits, `path colour on ${p.id}`).toBeGreaterThan(10);
      else expect(p.hits, `no path colour on ${p.id}`).toBe(0);
    }
  }, 300_000);
});
