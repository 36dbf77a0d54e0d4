// --live and `snapshot` only read the host: in a namespace of our own, every command ktrace runs
// goes through a logging shim on PATH, and the test proves (1) only the read-only commands ran,
// with exactly the read-only arguments, (2) each was started by node itself, not by a shell, and
// (3) the ruleset, addresses, routes, policy rules, ipsets and nft ruleset are byte-identical
// before and after. A non-root run gets a clear message. Needs root (runs when CI=true).
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../dist/ktrace-repl.js", import.meta.url));
const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const root = process.getuid?.() === 0 && has("ip") && has("iptables-restore") && has("ipset") && has("nft");
if (!root && process.env.CI === "true") throw new Error("CI=true but the read-only proof cannot run: it needs root, iproute2, iptables, ipset and nftables");
if (!root) console.warn("[read-only] SKIPPED: needs root, iproute2, iptables, ipset and nftables");

const ns = `ktro${process.pid}`;
// the real `ip`, by its path: the shims below are on PATH only for what runs inside the namespace
const IP = root ? spawnSync("sh", ["-c", "command -v ip"], { encoding: "utf8" }).stdout.trim() : "ip";
const inNs = (cmd: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}) =>
  spawnSync(IP, ["netns", "exec", ns, ...cmd], { encoding: "utf8", input: opts.input, env: opts.env ?? process.env });
afterAll(() => {
  if (root) spawnSync("ip", ["netns", "del", ns]);
});

/** Everything ktrace might run, read-only or not: each gets a shim that logs and runs the real one. */
const WATCHED = ["iptables", "iptables-save", "iptables-restore", "iptables-nft", "iptables-nft-save", "iptables-nft-restore", "iptables-legacy", "iptables-legacy-save", "iptables-legacy-restore", "ip", "ipset", "nft", "ss", "sysctl", "conntrack", "tc", "modprobe", "sh", "bash", "dash"];
/** What live mode and snapshot may run, exactly. */
const ALLOWED = new Set(["iptables-nft-save", "iptables-legacy-save", "iptables-save", "ip -j addr", "ip -j route show table all", "ip -j rule", "ipset save", "nft -a list ruleset", "ss -Hlntu"]);

function shims(): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), "ktro-shims-"));
  const log = join(dir, "calls.log");
  writeFileSync(log, "");
  for (const name of WATCHED) {
    const real = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
    if (!real) continue;
    const shim = join(dir, name);
    // the shim records who started it (its parent's name: node, or a shell if one were used)
    writeFileSync(shim, `#!/bin/sh\nprintf '%s\\t%s\\n' "$(cat /proc/$PPID/comm)" "${name}${"$"}{*:+ $*}" >> ${log}\nexec ${real} "$@"\n`);
    chmodSync(shim, 0o755);
  }
  return { dir, log };
}

/** The host's state, as the read-only tools print it. */
function state(): string {
  return [
    inNs(["iptables-save"]).stdout.replace(/^#.*\n/gm, ""),
    inNs(["ip", "-j", "addr"]).stdout,
    inNs(["ip", "-j", "route", "show", "table", "all"]).stdout,
    inNs(["ip", "-j", "rule"]).stdout,
    inNs(["ipset", "save"]).stdout,
    inNs(["nft", "list", "ruleset"]).stdout,
  ].join("\n----\n");
}

describe.skipIf(!root)("live mode and snapshot only read the host", () => {
  it("only read-only commands, started by node without a shell; the host is byte-identical", () => {
    expect(spawnSync("ip", ["netns", "add", ns]).status).toBe(0);
    // no IPv6: its link-local addresses leave "tentative" and add a route on their own, mid-test
    for (const c of ["sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1", "ip link set lo up", "ip link add e0 type veth peer name e1", "ip addr add 10.7.0.1/24 dev e0", "ip link set e0 up", "ip link set e1 up", "ip route add 10.8.0.0/16 via 10.7.0.254 dev e0", "ip route add default via 10.7.0.253 dev e0", "ip rule add fwmark 7 lookup 100", "ipset create ktro-set hash:ip", "ipset add ktro-set 10.8.1.1"])
      expect(inNs(c.split(" ")).status, c).toBe(0);
    const rules = "*raw\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j TRACE\nCOMMIT\n*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m set --match-set ktro-set dst -j ACCEPT\nCOMMIT\n*nat\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A OUTPUT -d 10.9.9.9/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.8.1.1:8080\n-A POSTROUTING -o e0 -j MASQUERADE\nCOMMIT\n";
    expect(inNs(["iptables-restore"], { input: rules }).status).toBe(0);
    const before = state();

    const { dir, log } = shims();
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
    const out = join(dir, "node.ktrace");
    const live = inNs([process.execPath, BIN, "--live", "-e", "send tcp 10.7.0.1:40000 -> 10.9.9.9:80", "-e", "show routes", "-e", "save ipsets"], { env });
    expect(live.status, live.stderr).toBe(0);
    expect(live.stdout).toContain("DNAT");
    const snap = inNs([process.execPath, BIN, "snapshot", "-o", out], { env });
    expect(snap.status, snap.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);

    if (process.env.KTK_DEBUG) console.log(readFileSync(log, "utf8"));
    const calls = readFileSync(log, "utf8").trimEnd().split("\n").filter(Boolean).map((l) => l.split("\t") as [string, string]);
    expect(calls.length).toBeGreaterThan(5); // the shims really were in the way
    for (const [parent, call] of calls) {
      expect(ALLOWED.has(call), `ktrace ran "${call}"`).toBe(true);
      expect(parent, `"${call}" was started by ${parent}, not by node`).toBe("node");
    }
    expect(state()).toBe(before);
  });

  it("without root, live mode says so in one line and exits 1", () => {
    const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, BIN, "--live", "-e", "show routes"], { encoding: "utf8", cwd: tmpdir() });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("ktrace-repl: live mode reads the host's netfilter state and must run as root (try: sudo ktrace-repl --live)\n");
  });
});
