// Bundles the CLI (engine, commands, ink REPL) into dist/ktrace-repl.js and the chunks it loads.
// Why: Node spends most of a cold start resolving and compiling hundreds of small modules
// (ink, react and their dependencies); a bundle brings the REPL to its prompt in about half the
// time. The per-module build in dist/ stays for notebooks (the Jupyter kernel runs it) and tests.
import { build } from "esbuild";
import { chmodSync, readdirSync, rmSync } from "node:fs";

/** What both bundles share: self-contained, for Node 20. */
const common = { bundle: true, platform: "node", target: "node20", logLevel: "warning" };

const out = "dist/ktrace-repl.js";
// the REPL (ink, React: 1.6 MB) is split into chunks of its own, loaded only when the REPL starts:
// a -e script or `teach` starts about 50 ms sooner (measured: 0.18–0.19 s against 0.22–0.25 s
// for `--version`). The chunks sit beside the entry, so every path the code finds from its own
// module URL (lessons/, scenarios/, package.json) stays the same. Chunks of earlier builds are
// removed once this one has written its own (a failed build leaves the last good one whole).
const built = await build({
  ...common,
  entryPoints: { "ktrace-repl": "dist/cli.js" },
  outdir: "dist",
  splitting: true,
  chunkNames: "ktrace-repl-[name]-[hash]",
  format: "esm",
  // ink only loads react-devtools-core when DEV=true; ktrace never does
  alias: { "react-devtools-core": "./scripts/no-devtools.js" },
  banner: { js: "import { createRequire as __ktraceRequire } from 'node:module'; const require = __ktraceRequire(import.meta.url);" },
  metafile: true,
});
const written = new Set(Object.keys(built.metafile.outputs).map((p) => p.replace(/^dist\//, "")));
for (const f of readdirSync("dist")) if (/^ktrace-repl-.*\.js$/.test(f) && !written.has(f)) rmSync(`dist/${f}`);
chmodSync(out, 0o755);

// The notebook API (src/api.ts) as CommonJS too, dist/api.cjs — what `require("ktrace")` loads.
// Why: tslab compiles notebook code to require(), and Node before 20.19 cannot require an ES
// module. Self-contained; its graph has no ink or React (test/notebook/api.test.ts checks).
await build({
  ...common,
  entryPoints: ["dist/api.js"],
  outfile: "dist/api.cjs",
  format: "cjs",
  // lessons/ and scenarios/ are found from the module's own URL
  define: { "import.meta.url": "__ktraceModuleUrl" },
  banner: { js: "const __ktraceModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
