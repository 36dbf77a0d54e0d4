// The notebook API (src/api.ts): results as data that agree with the session's own output,
// errors as KtraceErrors, display through a tslab-shaped object, no ink/React in its module
// graph, and `require("ktrace")` working from a project that installed it (CommonJS, as tslab
// compiles notebook code).
import { describe, expect, it } from "vitest";
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ktrace, KtraceError, type NotebookDisplay } from "../../src/api.js";
import { articleSession } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import { Session } from "../../src/lang/session.js";
import { loadCanned } from "../../src/sources/load.js";
import { nodeIo } from "../../src/sources/io.js";
import { walkText } from "../../src/format/explain.js";
import { walkDisplay } from "../../src/format/rich/displays.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const CURL = "tcp 192.168.1.88:49058 -> 10.43.156.98:9898";

describe("Ktrace API", () => {
  it("sends the article's curl and reads the walk as data", () => {
    const k = Ktrace.open({ canned: "article", seed: 71508 });
    const w = k.send(CURL);
    expect(w.svc).toBe("KUBE-SVC-Y4T5L63IYP3YFEBS");
    expect(w.sep).toBe("KUBE-SEP-OYNVDBAPYJ623W6H");
    expect(w.dnat).toBe("10.42.54.194:9898");
    expect(w.fate).toMatchObject({ kind: "sent", iface: "vxlan.calico" });
    expect(w.final.src).toBe("10.42.135.130");
    expect(w.final.mark).toBe("0x4000");
    expect(w.sent).toMatchObject({ src: "192.168.1.88", sport: 49058, dst: "10.43.156.98", dport: 9898 });
    // the rule numbers are the chain positions explain mode prints (KUBE-SERVICES #6 jumps to the Service)
    const jump = w.steps.find((st) => st.verdict === "JUMP:KUBE-SVC-Y4T5L63IYP3YFEBS");
    expect(jump).toMatchObject({ kind: "rule", table: "nat", chain: "KUBE-SERVICES", hook: "OUTPUT" });
    const sent = k.session.sent[0]!;
    expect(walkText([walkDisplay(k.session, sent.input, sent.result.events)])).toContain(`KUBE-SERVICES #${jump!.rule}  ✓ JUMP:KUBE-SVC-Y4T5L63IYP3YFEBS`);
  });

  it("agrees with a plain session driven by command lines, seed after seed", () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const k = Ktrace.open({ seed });
      const w = k.send(CURL);
      const s = articleSession(seed);
      runLine(s, `send ${CURL}`);
      const ct = runLine(s, "show conntrack").text;
      // the DNAT destination is the reply tuple's source in conntrack's own listing
      const [ip, port] = w.dnat!.split(":");
      expect(ct).toContain(`src=${ip} dst=${w.final.src} sport=${port}`);
      expect(k.run("show conntrack").text).toBe(ct);
    }
  });

  it("replies through conntrack and steps a packet", () => {
    const k = Ktrace.open({ seed: 71508 });
    k.send(CURL);
    const r = k.reply();
    expect(r.fate).toMatchObject({ kind: "delivered" });
    expect(r.final).toMatchObject({ src: "10.43.156.98", sport: 9898, dst: "192.168.1.88", dport: 49058 });
    expect(r.steps.some((st) => st.kind === "nat" && /from conntrack/.test(st.note ?? ""))).toBe(true);

    k.send(CURL.replace("49058", "49059"), { stepping: true });
    // the packet stops at its first step, as in the REPL
    expect(k.session.stepper?.pos).toBe(0);
    expect(k.session.stepper?.done).toBe(false);
    const next = k.step();
    expect(k.session.stepper?.pos).toBe(1);
    expect(next.text).not.toBe("");
    k.step(3);
    expect(k.session.stepper?.pos).toBe(4);
    expect(k.session.stepByStep).toBe(false); // stepping was for that packet only
  });

  it("loads rules text built in code, and names the line of a bad one", () => {
    const k = Ktrace.open({ seed: 71508 });
    const saved = k.save();
    expect(saved).toContain("*nat");
    const first = /^-A KUBE-SVC-Y4T5L63IYP3YFEBS .*--probability (0\.\d+) -j (KUBE-SEP-\w+)$/m.exec(saved);
    expect(first).not.toBeNull();
    const variant = Ktrace.open({ rules: saved.replace(first![0], first![0].replace(first![1]!, "1.00000000000")), seed: 71508 });
    // with a certain first draw, the first endpoint always wins (the seed that picked the other one before)
    for (let i = 0; i < 5; i++) expect(variant.send(CURL.replace("49058", String(50000 + i))).sep).toBe(first![2]);
    expect(Ktrace.open({ rules: saved, seed: 71508 }).send(CURL).sep).toBe("KUBE-SEP-OYNVDBAPYJ623W6H");
    const bad = () => Ktrace.open({ rules: "*filter\n-A INPUT -p tcp --dport 22 -j ACCEPTT\nCOMMIT\n" });
    expect(bad).toThrow(KtraceError);
    expect(bad).toThrow(/<rules>:2/);
    expect(() => Ktrace.open({ canned: "article", rules: "" })).toThrow(/one source/);
  });

  it("opens a shipped scenario by name, as `load scenario` does", () => {
    const k = Ktrace.open({ scenario: "services" });
    const s = new Session(loadCanned("article"), nodeIo, 1); // reads the shipped file, as the REPL does
    expect(runLine(s, "load scenario services").error).toBeUndefined();
    expect(k.save()).toBe(runLine(s, "save").text);
    expect(() => Ktrace.open({ scenario: "no-such-scenario" })).toThrow(/no shipped scenario "no-such-scenario"/);
  });

  it("throws a KtraceError for a bad command line, with the REPL's message", () => {
    const k = Ktrace.open();
    expect(() => k.run("sned tcp 1.2.3.4:1 -> 5.6.7.8:2")).toThrow(/unknown command "sned".*did you mean send/);
    expect(k.tryRun("sned").error).toMatch(/unknown command/);
    try {
      k.run("show chain nat KUBE-NOPE");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(KtraceError);
      // the column of the offending word, counted as the REPL counts it
      expect((e as KtraceError).column).toBe("show chain nat KUBE-NOPE".indexOf("KUBE-NOPE") + 1);
    }
    expect(() => k.walk()).toThrow(/nothing sent yet/);
  });

  it("displays the richest form of a command's output", () => {
    const shown: [string, string][] = [];
    const display: NotebookDisplay = { html: (s) => shown.push(["html", s]), svg: (s) => shown.push(["svg", s]), text: (s) => shown.push(["text", s]) };
    const k = Ktrace.open({ seed: 71508, display });
    k.send(CURL);
    expect(k.show("show conntrack")).toBeUndefined();
    const out = k.run("show conntrack");
    const bundle = k.mime(out);
    const type = bundle["text/html"] !== undefined ? "html" : bundle["image/svg+xml"] !== undefined ? "svg" : "text";
    expect(shown).toEqual([[type, bundle[type === "html" ? "text/html" : type === "svg" ? "image/svg+xml" : "text/plain"]]]);
    expect(bundle["text/plain"]).toBe(out.text);
  });

  it("pulls no ink or React into a notebook", async () => {
    const r = await build({ entryPoints: [join(root, "src/api.ts")], bundle: true, platform: "node", format: "esm", write: false, metafile: true, logLevel: "silent" });
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.some((p) => p.endsWith("src/lang/session.ts"))).toBe(true);
    expect(inputs.filter((p) => /node_modules\/(ink|react|react-reconciler|ink-text-input)\//.test(p) || /src\/repl\//.test(p))).toEqual([]);
  });
});

const built = existsSync(join(root, "dist/api.js")) && existsSync(join(root, "dist/api.cjs"));
describe.skipIf(!built)("\"ktrace\" from a project that installed it (skipped until npm run build)", () => {
  it("require() gets the CommonJS bundle, import the ES module, both the same API", () => {
    const dir = mkdtempSync(join(tmpdir(), "ktrace-api-"));
    try {
      mkdirSync(join(dir, "node_modules"));
      symlinkSync(root, join(dir, "node_modules", "ktrace"), "dir");
      const script = `const { Ktrace } = require("ktrace");
const k = Ktrace.open({ seed: 71508 });
const w = k.send("${CURL}");
const heavy = Object.keys(require.cache).filter((f) => /node_modules\\/(ink|react)\\//.test(f));
console.log(JSON.stringify({ from: require.resolve("ktrace"), sep: w.sep, lessons: / 1\\. .*Follow the article's curl/.test(k.run("lessons").text), heavy }));`;
      const out = execFileSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8", env: { ...process.env, XDG_STATE_HOME: join(dir, "state") } });
      // the bundle finds the package's lessons/ from its own place, as the ES modules do
      expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual({ from: join(root, "dist/api.cjs"), sep: "KUBE-SEP-OYNVDBAPYJ623W6H", lessons: true, heavy: [] });
      const esm = `import { Ktrace } from "ktrace";
console.log(JSON.stringify({ from: import.meta.resolve("ktrace"), sep: Ktrace.open({ seed: 71508 }).send("${CURL}").sep }));`;
      const out2 = execFileSync(process.execPath, ["--input-type=module", "-e", esm], { cwd: dir, encoding: "utf8" });
      expect(JSON.parse(out2.trim())).toEqual({ from: `file://${root}dist/api.js`, sep: "KUBE-SEP-OYNVDBAPYJ623W6H" });
      expect(existsSync(join(root, "dist/api.d.ts"))).toBe(true); // tslab typechecks against it
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
