// `stats N` on the article node, timed in a process of its own (as a learner runs it): the
// cluster benchmark's own process holds a 10,000-Service ruleset, whose garbage collection would
// be charged to stats. Prints the milliseconds of the stats command alone.
//   node bench/stats-article.mjs [N=100000]     (after npm run build)
import { loadCanned } from "../dist/sources/load.js";
import { Session } from "../dist/lang/session.js";
import { runLine } from "../dist/lang/commands/index.js";
import { nodeIo } from "../dist/sources/io.js";

const n = Number(process.argv[2] ?? 100000);
const s = new Session(loadCanned("article"), nodeIo, 1);
runLine(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
const t = performance.now();
const r = runLine(s, `stats ${n}`);
if (r.error) throw new Error(r.error);
console.log((performance.now() - t).toFixed(1));
