/**
 * Installing the ktrace kernel into Jupyter: where kernelspecs live, what kernel.json says, the
 * logos, and (on request) tslab's TypeScript/JavaScript kernels beside it.
 *
 * Why: `ktrace-repl kernel install --user` is the one step between `npm install` and opening a
 * notebook. The spec points at this installation — the absolute path of the node running now
 * and of dist/notebook/kernel-main.js — so it keeps working whatever PATH Jupyter starts with.
 * Locations follow `jupyter --paths`: --user is the user data dir (JUPYTER_DATA_DIR, else
 * $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter on Linux, ~/Library/Jupyter on macOS,
 * %APPDATA%\jupyter on Windows), --sys-prefix is {sys.prefix}/share/jupyter of the Python that
 * runs `jupyter`, --prefix P is P/share/jupyter; kernels go in kernels/NAME below it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { logoPng } from "./logo.js";

export const KERNEL_NAME = "ktrace";

export type SpecLocation = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; path: string };

export interface SpecOptions {
  where: SpecLocation;
  /** Also install (or remove) tslab's kernels (tslab, jslab). */
  tslab: boolean;
  /** The Python with jupyter_client, for --sys-prefix and tslab's installer. */
  python?: string;
}

/** The directory holding package.json of this installation (works from dist/ and from the bundle). */
export function packageRoot(from = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "ktrace") return dir;
      } catch {
        /* not ours: keep climbing */
      }
    }
    if (dirname(dir) === dir) throw new Error(`cannot find ktrace's package.json above ${from}`);
  }
}

/** Jupyter's per-user data directory (jupyter_core.paths.jupyter_data_dir). */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (platform === "darwin") return join(home, "Library", "Jupyter");
  if (platform === "win32") return join(env.APPDATA ?? join(home, "AppData", "Roaming"), "jupyter");
  return join(env.XDG_DATA_HOME || join(home, ".local", "share"), "jupyter");
}

/** The Python that runs `jupyter` (its script's #! line), else python3. */
export function defaultPython(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? "").split(":")) {
    const script = join(dir, "jupyter");
    if (!dir || !existsSync(script)) continue;
    try {
      const first = readFileSync(script, "utf8").split("\n", 1)[0] ?? "";
      const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
      if (m) return m[1]!.endsWith("/env") && m[2] ? m[2] : m[1]!;
    } catch {
      /* unreadable: try the next one */
    }
  }
  return "python3";
}

export class KernelSpecError extends Error {}

function sysPrefix(python: string): string {
  const r = spawnSync(python, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" });
  if (r.error || r.status !== 0) throw new KernelSpecError(`cannot ask ${python} for sys.prefix: ${r.error?.message ?? r.stderr.trim()} (name the Python with --python)`);
  return r.stdout.trim();
}

/** share/jupyter/kernels of the chosen location. */
export function kernelsDir(where: SpecLocation, python: string = defaultPython()): string {
  switch (where.kind) {
    case "user":
      return join(userDataDir(), "kernels");
    case "sys-prefix":
      return join(sysPrefix(python), "share", "jupyter", "kernels");
    case "prefix":
      return join(where.path, "share", "jupyter", "kernels");
  }
}

/** kernel.json for this installation. */
export function kernelJson(root: string, node: string = process.execPath): Record<string, unknown> {
  let version = "0";
  try {
    version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    /* leave it unknown */
  }
  return {
    argv: [node, join(root, "dist", "notebook", "kernel-main.js"), "--connection-file", "{connection_file}"],
    display_name: "ktrace",
    language: "ktrace",
    interrupt_mode: "message",
    metadata: { ktrace: { version, root } },
  };
}

function tslabBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("tslab/package.json")), "bin", "tslab");
}

function locationFlag(where: SpecLocation): string[] {
  return where.kind === "user" ? ["--user"] : where.kind === "sys-prefix" ? ["--sys-prefix"] : [`--prefix=${where.path}`];
}

/** Writes the ktrace kernelspec (and tslab's when asked); returns what was done, line by line. */
export function installKernelSpec(opts: SpecOptions): string[] {
  const python = opts.python ?? defaultPython();
  const root = packageRoot();
  const entry = join(root, "dist", "notebook", "kernel-main.js");
  if (!existsSync(entry)) throw new KernelSpecError(`${entry} is missing: build ktrace first (npm run build)`);
  const dir = join(kernelsDir(opts.where, python), KERNEL_NAME);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelJson(root), null, 2) + "\n");
  writeFileSync(join(dir, "logo-32x32.png"), logoPng(32));
  writeFileSync(join(dir, "logo-64x64.png"), logoPng(64));
  const done = [`installed the ktrace kernel in ${dir}`];
  if (opts.tslab) {
    const bin = tslabBin();
    // tslab's kernel.json runs its binary directly: give it the absolute path, not a PATH lookup
    const r = spawnSync(process.execPath, [bin, "install", `--python=${python}`, `--binary=${bin}`, ...locationFlag(opts.where)], { encoding: "utf8" });
    if (r.error || r.status !== 0) throw new KernelSpecError(`tslab's installer failed: ${(r.error?.message ?? (r.stderr || r.stdout)).trim()}`);
    done.push(`installed tslab's kernels (tslab, jslab) with ${python}`);
  }
  return done;
}

/** Removes the ktrace kernelspec (and tslab's when asked) from the chosen location. */
export function uninstallKernelSpec(opts: SpecOptions): string[] {
  const base = kernelsDir(opts.where, opts.python ?? defaultPython());
  const names = [KERNEL_NAME, ...(opts.tslab ? ["tslab", "jslab"] : [])];
  const done: string[] = [];
  for (const n of names) {
    const dir = join(base, n);
    if (!existsSync(dir)) {
      if (n === KERNEL_NAME) throw new KernelSpecError(`no ktrace kernel in ${base} (\`jupyter kernelspec list\` shows where it is)`);
      done.push(`no ${n} kernel in ${base}`);
      continue;
    }
    rmSync(dir, { recursive: true, force: true });
    done.push(`removed ${dir}`);
  }
  return done;
}
