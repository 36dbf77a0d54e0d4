// The kernel's pure parts without Jupyter: how a cell splits into commands, where an error sits in
// the cell, completion and inspection at a cursor, the kernelspec's paths and arguments, the logo.
import { describe, expect, it } from "vitest";
import { inflateSync } from "node:zlib";
import { dirname, join, relative, resolve } from "node:path";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { Session } from "../../src/lang/session.js";
import { completeLine, findCommand, runLine } from "../../src/lang/commands/index.js";
import { loadCanned } from "../../src/sources/load.js";
import { nodeIo } from "../../src/sources/io.js";
import { cellPosition, isComplete, runCell, splitCell, type LineOutput } from "../../src/notebook/cell.js";
import { completeCell, toCodePoints, toUtf16 } from "../../src/notebook/cell-complete.js";
import { inspectCell } from "../../src/notebook/cell-inspect.js";
import { crc32, logoPng } from "../../src/notebook/logo.js";
import { kernelJson, kernelsDir, packageRoot, userDataDir } from "../../src/notebook/kernelspec.js";
import { parseKernelCli } from "../../src/notebook/kernel-cli.js";
import { parseKernelArgs } from "../../src/notebook/kernel-main.js";
import { MATCHES } from "../../src/engine/ext/registry.js";

const SYN = "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898";

function session(): Session {
  const s = new Session(loadCanned("article"), nodeIo, 1);
  s.stepByStep = true;
  return s;
}

describe("a cell as commands", () => {
  it("joins a line ending in a backslash with the next, and keeps where each piece came from", () => {
    const cmds = splitCell(`step\nsend tcp 192.168.1.88:49058 \\\n   -> 10.43.156.98:9898\nwhere`);
    expect(cmds.map((c) => [c.line, c.text])).toEqual([
      [1, "step"],
      [2, "send tcp 192.168.1.88:49058     -> 10.43.156.98:9898"],
      [4, "where"],
    ]);
    const joined = cmds[1]!;
    // "->" is on the cell's line 3, column 4
    expect(cellPosition(joined, joined.text.indexOf("->") + 1)).toEqual({ line: 3, col: 4 });
    expect(cellPosition(joined, 6)).toEqual({ line: 2, col: 6 });
  });

  it("keeps an open quote open over a newline", () => {
    const cmds = splitCell('load rules "my\nrules.v4"\nwhere');
    expect(cmds.map((c) => c.text)).toEqual(['load rules "my\nrules.v4"', "where"]);
  });

  it("takes a comment line whole, whatever quote or backslash it holds", () => {
    expect(splitCell('# the "fast path\nstep\n# ends in \\\nwhere').map((c) => c.text)).toEqual(['# the "fast path', "step", "# ends in \\", "where"]);
    expect(isComplete('# the "fast path')).toEqual({ status: "complete" });
    const outs: LineOutput[] = [];
    expect(runCell(session(), `# the "fast path\n${SYN}`, (o) => outs.push(o))).toBeUndefined();
    expect(outs.map((o) => o.line)).toEqual([2]);
  });

  it("is incomplete after a backslash or inside a quote, complete otherwise", () => {
    expect(isComplete("send tcp 1.2.3.4:1 -> 5.6.7.8:2 \\")).toEqual({ status: "incomplete", indent: "" });
    expect(isComplete('load rules "a b')).toEqual({ status: "incomplete", indent: "" });
    expect(isComplete("show state\nstep")).toEqual({ status: "complete" });
    expect(isComplete("")).toEqual({ status: "complete" });
  });

  it("runs each command on the session as runLine would, and reports the first error in cell coordinates", () => {
    const s = session();
    const here = session();
    const outs: LineOutput[] = [];
    const err = runCell(s, `${SYN}\nstep\n\nsend tcp 192.168.1.88:49058 \\\n  -> 10.43.156.98:9898 flags SYN,NOPE\nstep`, (o) => outs.push(o));
    expect(outs.map((o) => o.line)).toEqual([1, 2]);
    expect(outs[0]!.bundle!["text/plain"]).toBe(runLine(here, SYN).text);
    expect(outs[1]!.bundle!["text/plain"]).toBe(runLine(here, "step").text);
    const direct = runLine(here, "send tcp 192.168.1.88:49058    -> 10.43.156.98:9898 flags SYN,NOPE");
    expect(direct.error).toBeTruthy();
    expect(err).toBeDefined();
    // the bad flag word sits on line 5 of the cell
    expect(err!.line).toBe(5);
    expect(err!.evalue).toMatch(/^line 5, column \d+: .*NOPE/);
    const col = Number(/column (\d+)/.exec(err!.evalue)![1]);
    expect("  -> 10.43.156.98:9898 flags SYN,NOPE".slice(col - 1)).toMatch(/^SYN,NOPE|^NOPE/);
    expect(err!.skipped).toBe(1);
    expect(err!.evalue).not.toContain("\n");
  });

  it("a one-command cell names only the column", () => {
    const err = runCell(session(), "sned", () => {});
    expect(err!.evalue).toBe('column 1: unknown command "sned" (did you mean send?)');
  });
});

describe("completion and inspection at a cursor", () => {
  it("converts between code points and UTF-16", () => {
    const t = "a𝔘b";
    expect(toUtf16(t, 2)).toBe(3);
    expect(toCodePoints(t, 3)).toBe(2);
  });

  it("completes the word before the cursor with what completeLine gives for its command", () => {
    const s = session();
    const code = "step\nshow chain nat KUBE-SV";
    const r = completeCell(s, code, code.length);
    expect(r.matches).toEqual(completeLine(s, "show chain nat KUBE-SV"));
    expect(r.matches.length).toBeGreaterThan(1);
    expect(r.cursor_start).toBe(code.length - "KUBE-SV".length);
    expect(r.cursor_end).toBe(code.length);
    const after = completeCell(s, "show ", 5);
    expect(after.matches).toContain("chain");
    expect(after.cursor_start).toBe(5);
  });

  it("inspects a chain, a table, a match and its option, an interface, an address, a rule", () => {
    const s = session();
    const text = (code: string, at = code.length) => {
      const r = inspectCell(s, code, at);
      expect(r.found, code).toBe(true);
      return r.data["text/plain"]!;
    };
    expect(text("show chain nat KUBE-SEP-OYNVDBAPYJ623W6H")).toContain(s.names.decode("KUBE-SEP-OYNVDBAPYJ623W6H")!);
    expect(text("show chain nat OUTPUT")).toContain("the OUTPUT hook");
    expect(text("show chain nat", 13)).toContain("first packet of a connection");
    const rule = "iptables -t nat -A KUBE-SVC-Y4T5L63IYP3YFEBS -m statistic --mode random --probability 0.5 -j KUBE-SEP-OYNVDBAPYJ623W6H";
    expect(text(rule, rule.indexOf("statistic") + 2)).toContain(MATCHES.get("statistic")!.help);
    expect(text(rule, rule.indexOf("--probability") + 4)).toMatch(/^--probability of -m statistic/);
    expect(text("send tcp 10.0.0.1:1 -> 10.0.0.2:2 in enp3s0")).toContain("inet 192.168.1.88/24");
    expect(text("route get 10.42.54.194")).toContain(runLine(s, "route get 10.42.54.194").text);
    expect(text("route get 10.42.54.194")).toContain(`10.42.54.194 is an endpoint (a pod): ${s.names.decode("KUBE-SEP-OYNVDBAPYJ623W6H")}`);
    expect(text(SYN, SYN.indexOf("10.43"))).toContain(`10.43.156.98 port 9898 is a Service address: nat KUBE-SERVICES rule #6 sends it to ${s.names.decode("KUBE-SVC-Y4T5L63IYP3YFEBS")}`);
    expect(text(SYN, 12)).toMatch(/^192\.168\.1\.88 is an address of this node \(enp3s0\)/);
    expect(text("show chain filter FORWARD")).toMatch(/^FORWARD: a built-in chain, the FORWARD hook/);
    const saved = runLine(s, "iptables -t nat -S KUBE-SVC-Y4T5L63IYP3YFEBS").text.split("\n")[2]!;
    const r = text(saved, 1);
    expect(r).toContain("it is rule #2 of nat KUBE-SVC-Y4T5L63IYP3YFEBS");
    expect(text("help", 2)).toContain(findCommand("help")!.usage);
    expect(inspectCell(s, "  ", 1).found).toBe(false);
    expect(inspectCell(s, "send tcp 10.0.0.1:1", 5).found).toBe(false);
  });
});

describe("the kernelspec", () => {
  it("follows jupyter --paths for the user directory", () => {
    expect(userDataDir({ JUPYTER_DATA_DIR: "/j" }, "linux", "/home/u")).toBe("/j");
    expect(userDataDir({}, "linux", "/home/u")).toBe("/home/u/.local/share/jupyter");
    expect(userDataDir({ XDG_DATA_HOME: "/x" }, "linux", "/home/u")).toBe("/x/jupyter");
    expect(userDataDir({}, "darwin", "/Users/u")).toBe("/Users/u/Library/Jupyter");
    expect(kernelsDir({ kind: "prefix", path: "/opt/p" })).toBe("/opt/p/share/jupyter/kernels");
  });

  it("points kernel.json at this node and this installation's kernel entry", () => {
    const root = packageRoot();
    expect(root).toBe(join(import.meta.dirname, "..", ".."));
    const spec = kernelJson(root, "/usr/bin/node") as { argv: string[]; language: string; interrupt_mode: string };
    expect(spec.argv).toEqual(["/usr/bin/node", join(root, "dist", "notebook", "kernel-main.js"), "--connection-file", "{connection_file}"]);
    expect(spec.language).toBe("ktrace");
    expect(spec.interrupt_mode).toBe("message");
  });

  it("parses kernel install/uninstall/run arguments and refuses the wrong ones", () => {
    expect(parseKernelCli(["install"])).toEqual({ action: "install", spec: { where: { kind: "user" }, tslab: false } });
    expect(parseKernelCli(["install", "--prefix", "/p", "--tslab"])).toEqual({ action: "install", spec: { where: { kind: "prefix", path: "/p" }, tslab: true } });
    expect(parseKernelCli(["uninstall", "--sys-prefix", "--python=/usr/bin/python3"])).toEqual({ action: "uninstall", spec: { where: { kind: "sys-prefix" }, tslab: false, python: "/usr/bin/python3" } });
    expect(parseKernelCli(["--connection-file", "f.json"])).toEqual({ action: "run", argv: ["--connection-file", "f.json"] });
    expect(() => parseKernelCli(["install", "--user", "--sys-prefix"])).toThrow("--sys-prefix and --user cannot both be given");
    expect(() => parseKernelCli(["install", "--prefix"])).toThrow("--prefix needs a value");
    expect(() => parseKernelCli(["install", "--global"])).toThrow('unknown argument "--global"');
    expect(parseKernelArgs(["-f", "c.json", "--seed", "7"])).toEqual({ connectionFile: "c.json", seed: 7 });
    expect(() => parseKernelArgs(["--seed", "x", "-f", "c"])).toThrow('--seed needs a whole number, not "x"');
    expect(() => parseKernelArgs([])).toThrow("--connection-file is missing");
  });

  it("draws the logo as a valid PNG: chunk CRCs, size, pixels of the tile, the bars and the path", () => {
    for (const size of [32, 64]) {
      const png = logoPng(size);
      const chunks: { type: string; data: Buffer }[] = [];
      for (let o = 8; o < png.length; ) {
        const len = png.readUInt32BE(o);
        const type = png.toString("ascii", o + 4, o + 8);
        const data = png.subarray(o + 8, o + 8 + len);
        expect(png.readUInt32BE(o + 8 + len)).toBe(crc32(png.subarray(o + 4, o + 8 + len)));
        chunks.push({ type, data });
        o += 12 + len;
      }
      expect(chunks.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
      expect([chunks[0]!.data.readUInt32BE(0), chunks[0]!.data.readUInt32BE(4)]).toEqual([size, size]);
      const raw = inflateSync(chunks[1]!.data);
      expect(raw.length).toBe(size * (size * 4 + 1));
      const colours = new Set<string>();
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) colours.add(raw.subarray(y * (size * 4 + 1) + 1 + x * 4, y * (size * 4 + 1) + 1 + x * 4 + 4).join(","));
      for (const c of ["29,43,79,255", "201,211,230,255", "255,140,26,255", "0,0,0,0"]) expect(colours.has(c), `${size}px has ${c}`).toBe(true);
    }
  });
});

describe("the kernel's module graph", () => {
  const src = join(import.meta.dirname, "..", "..", "src");
  /** Value imports of a source file (type-only imports are erased and load nothing). */
  const imports = (file: string) =>
    [...readFileSync(file, "utf8").matchAll(/^import\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gm), ...readFileSync(file, "utf8").matchAll(/^export\s+(?!type\b)[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]!);
  const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : /\.tsx?$/.test(n) ? [join(dir, n)] : []));

  it("only src/notebook/tslab-adapter.ts imports tslab", () => {
    const users = files(src).filter((f) => imports(f).some((i) => i === "tslab" || i.startsWith("tslab/")));
    expect(users.map((f) => relative(src, f))).toEqual(["notebook/tslab-adapter.ts"]);
  });

  it("the kernel's main thread does not load the engine (the worker does)", () => {
    const seen = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const i of imports(file)) if (i.startsWith(".")) walk(resolve(dirname(file), i).replace(/\.js$/, ".ts"));
    };
    walk(join(src, "notebook", "kernel-main.ts"));
    const loaded = [...seen].map((f) => relative(src, f)).sort();
    expect(loaded).toContain("notebook/tslab-adapter.ts");
    expect(loaded.filter((f) => f.startsWith("engine/") || f.startsWith("lang/commands/"))).toEqual([]);
  });
});
