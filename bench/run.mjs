// ktrace benchmarks: prints figures and ratios, never asserts.
//   node bench/run.mjs            (after npm run build; parts needing root/tmux are skipped with a note)
// 1. parsing a kube-proxy-shaped ruleset of N Services: ktrace vs iptables-restore --test (same text)
// 2. packets per second through the article node and through the big ruleset
// 3. ktrace-repl: time from process start to the first prompt (in tmux), against the 0.5 s budget
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRuleset } from "../dist/engine/parse/ruleset-parser.js";
import { loadCanned } from "../dist/sources/load.js";
import { Session } from "../dist/lang/session.js";
import { runLine } from "../dist/lang/commands/index.js";
import { nodeIo } from "../dist/sources/io.js";

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const hash = (s) => {
  const d = createHash("sha256").update(s).digest();
  let bits = 0, val = 0, out = "";
  for (const b of d) { val = (val << 8) | b; bits += 8; while (bits >= 5) { out += B32[(val >>> (bits - 5)) & 31]; bits -= 5; } }
  return out.slice(0, 16);
};

/** N ClusterIP Services with 2 endpoints each, shaped like kube-proxy's output. */
function bigRuleset(n) {
  const chains = [], rules = [];
  for (let i = 0; i < n; i++) {
    const name = `bench/svc-${i}:http`, ip = `10.43.${(i >> 8) & 255}.${i & 255}`;
    const svc = `KUBE-SVC-${hash(name + "tcp")}`;
    chains.push(svc);
    rules.push(`-A KUBE-SERVICES -d ${ip}/32 -p tcp -m comment --comment "${name} cluster IP" -m tcp --dport 80 -j ${svc}`);
    rules.push(`-A ${svc} ! -s 10.42.0.0/16 -d ${ip}/32 -p tcp -m comment --comment "${name} cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ`);
    for (let e = 0; e < 2; e++) {
      const ep = `10.42.${(i >> 6) & 255}.${((i & 63) << 2) + e + 1}:8080`;
      const sep = `KUBE-SEP-${hash(name + "tcp" + ep)}`;
      chains.push(sep);
      rules.push(`-A ${svc} -m comment --comment "${name} -> ${ep}"${e === 0 ? " -m statistic --mode random --probability 0.50000000000" : ""} -j ${sep}`);
      rules.push(`-A ${sep} -s ${ep.split(":")[0]}/32 -m comment --comment "${name}" -j KUBE-MARK-MASQ`);
      rules.push(`-A ${sep} -p tcp -m comment --comment "${name}" -m tcp -j DNAT --to-destination ${ep}`);
    }
  }
  return [
    "*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
    ":KUBE-MARK-MASQ - [0:0]", ":KUBE-POSTROUTING - [0:0]", ":KUBE-SERVICES - [0:0]", ...chains.sort().map((c) => `:${c} - [0:0]`),
    "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
    "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
    "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING",
    "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
    "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
    "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0",
    "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully",
    ...rules, "COMMIT", "",
  ].join("\n");
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const fmt = (x) => x.toFixed(1).padStart(8);
const isRoot = process.getuid?.() === 0;
const has = (cmd, args = ["--version"]) => spawnSync(cmd, args).status === 0;

console.log("ktrace benchmarks (node " + process.version + ")\n");

console.log("1. parse + validate a kube-proxy ruleset (median of 3)");
console.log("   services     rules   ktrace ms   iptables-restore --test ms   ktrace/iptables");
for (const n of [100, 1000, 5000]) {
  const text = bigRuleset(n);
  const nrules = text.split("\n").filter((l) => l.startsWith("-A")).length;
  const k = [0, 1, 2].map(() => { const t = process.hrtime.bigint(); parseRuleset(text); return ms(t); }).sort((a, b) => a - b)[1];
  let ipt = NaN;
  if (isRoot && has("iptables-restore") && has("ip", ["netns", "list"])) {
    const ns = `ktbench${process.pid}`;
    spawnSync("ip", ["netns", "add", ns]);
    try {
      ipt = [0, 1, 2].map(() => { const t = process.hrtime.bigint(); const r = spawnSync("ip", ["netns", "exec", ns, "iptables-restore", "--test"], { input: text }); if (r.status !== 0) throw new Error(String(r.stderr)); return ms(t); }).sort((a, b) => a - b)[1];
    } finally { spawnSync("ip", ["netns", "del", ns]); }
  }
  console.log(`   ${String(n).padStart(8)} ${String(nrules).padStart(9)} ${fmt(k)}    ${Number.isNaN(ipt) ? "   (needs root)" : fmt(ipt)}                  ${Number.isNaN(ipt) ? "" : (k / ipt).toFixed(2) + "x the time"}`);
}

console.log("\n2. packets per second (explain events collected, seeded)");
const article = loadCanned("article");
for (const [label, src, cmd] of [
  ["article node, ClusterIP SYN", article, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898"],
  ["5000 Services, last Service", { ...article, ruleset: parseRuleset(bigRuleset(5000)) }, "send tcp 192.168.1.88:49058 -> 10.43.19.135:80"],
]) {
  const s = new Session(src, nodeIo, 1);
  const N = label.startsWith("article") ? 3000 : 300;
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) { runLine(s, cmd); if (i % 100 === 99) runLine(s, "reset"); }
  const el = ms(t);
  console.log(`   ${label.padEnd(32)} ${fmt(N / (el / 1000))} packets/s   (${(el / N).toFixed(3)} ms each)`);
}

console.log("\n3. ktrace-repl start to first prompt (budget 500 ms)");
if (!has("tmux", ["-V"])) console.log("   (tmux not installed: skipped)");
else {
  const dir = mkdtempSync(join(tmpdir(), "ktbench-"));
  const times = [];
  for (let i = 0; i < 5; i++) {
    const mark = join(dir, `mark${i}`);
    const sess = `ktbench-${process.pid}-${i}`;
    spawnSync("tmux", ["new-session", "-d", "-s", sess, "-x", "160", "-y", "40", `env KTRACE_STARTUP_MARK=${mark} KTRACE_HISTORY=${dir}/h ${process.execPath} dist/ktrace-repl.js`]);
    const end = Date.now() + 10000;
    let v;
    while (Date.now() < end) { try { v = Number(readFileSync(mark, "utf8").split("\n")[0]); if (!Number.isFinite(v) || v <= 0) throw new Error("partial"); break; } catch { spawnSync("sleep", ["0.05"]); } }
    spawnSync("tmux", ["kill-session", "-t", sess]);
    if (v) times.push(v);
    if (i === 0) { try { console.log(`   first run: ${readFileSync(mark, "utf8").split("\n")[1]} ms, prompt at ${v.toFixed(0)} ms`); } catch {} }
  }
  rmSync(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  if (med === undefined) console.log("   no run reached the prompt within 10 s");
  else console.log(`   runs: ${times.map((t) => t.toFixed(0)).join(", ")} ms   median ${med.toFixed(0)} ms = ${(med / 500).toFixed(2)} of the budget`);
}
