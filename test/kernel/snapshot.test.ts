// `ktrace-repl snapshot` inside a namespace writes a file that, loaded anywhere with
// --snapshot, answers exactly like --live on that namespace. Needs root (runs when CI=true).
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../dist/ktrace-repl.js", import.meta.url));
const root = process.getuid?.() === 0 && spawnSync("ip", ["netns", "list"]).status === 0 && spawnSync("iptables-restore", ["--version"]).status === 0;
if (!root && process.env.CI === "true") throw new Error("CI=true but the snapshot test cannot run: it needs root, iproute2 and iptables");
if (!root) console.warn("[snapshot] SKIPPED: needs root, iproute2 and iptables");

const ns = `ktsnap${process.pid}`;
const inNs = (cmd: string[], input?: string) => spawnSync("ip", ["netns", "exec", ns, ...cmd], { encoding: "utf8", input });
afterAll(() => {
  if (root) spawnSync("ip", ["netns", "del", ns]);
});

describe.skipIf(!root)("snapshot", () => {
  it("a snapshot answers like --live", () => {
    expect(spawnSync("ip", ["netns", "add", ns]).status).toBe(0);
    for (const c of ["ip link set lo up", "ip link add e0 type veth peer name e1", "ip addr add 10.7.0.1/24 dev e0", "ip link set e0 up", "ip link set e1 up", "ip route add 10.8.0.0/16 via 10.7.0.254 dev e0", "ip route add default via 10.7.0.253 dev e0", "sysctl -qw net.ipv4.ip_forward=1"])
      expect(inNs(c.split(" ")).status, c).toBe(0);
    const rules = "*raw\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j TRACE\nCOMMIT\n*nat\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A OUTPUT -d 10.9.9.9/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.8.1.1:8080\n-A POSTROUTING -o e0 -j MASQUERADE\nCOMMIT\n";
    expect(inNs(["iptables-restore"], rules).status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "ktsnap-"));
    const file = join(dir, "node.ktrace");
    const snap = inNs([process.execPath, BIN, "snapshot", "-o", file]);
    expect(snap.status, snap.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^# ktrace snapshot v1\n## hostname\n/);
    const cmd = ["--format", "xtables-monitor", "--seed", "3", "-e", "send tcp 10.7.0.1:40000 -> 10.9.9.9:80"];
    const live = inNs([process.execPath, BIN, "--live", ...cmd]);
    const fromFile = spawnSync(process.execPath, [BIN, "--snapshot", file, ...cmd], { encoding: "utf8" });
    expect(live.status, live.stderr).toBe(0);
    expect(fromFile.status, fromFile.stderr).toBe(0);
    expect(live.stdout).toContain("nat:OUTPUT:rule:0x3:ACCEPT  -4 -t nat -A OUTPUT -d 10.9.9.9/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.8.1.1:8080");
    expect(fromFile.stdout).toBe(live.stdout);
    // the host was only read: the ruleset is unchanged
    expect(inNs(["iptables-save"]).stdout.replace(/^#.*\n/gm, "")).toBe(rules.replace(/\*raw\n/, "*raw\n:PREROUTING ACCEPT [0:0]\n").replace(":OUTPUT ACCEPT [0:0]\n:POSTROUTING", ":PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING"));
  });
  it("route get answers as ip route get does (first line, without uid and cache), with and without policy rules", () => {
    const queries = ["10.8.1.1", "10.7.0.1", "10.7.0.255", "8.8.8.8 mark 0x4000", "8.8.8.8 from 10.7.0.1", "10.8.1.1 from 10.7.0.9 iif e0", "10.7.0.1 from 10.7.0.9 iif e0", "10.7.0.255 from 10.7.0.9 iif e0", "255.255.255.255 from 10.7.0.9 iif e0", "224.0.0.1 from 10.7.0.9 iif e0", "224.0.0.251 from 10.7.0.9 iif e0", "10.9.1.1 mark 7"];
    const compare = () => {
      const real = queries.map((q) => {
        const r = inNs(["ip", "route", "get", ...q.split(" ")]);
        // the kernel's flag noise after a multicast answer is not modelled
        return (r.stdout.split("\n")[0] || r.stderr.trim()).replace(/ uid 0\s*$/, "").replace(/ rt_offload_failed\s*$/, "").trimEnd();
      });
      const sim = inNs([process.execPath, BIN, "--live", ...queries.flatMap((q) => ["-e", `route get ${q}`])]);
      expect(sim.status, sim.stderr).toBe(0);
      if (process.env.KTK_DEBUG) console.log(real.join("\n"));
      expect(sim.stdout.trimEnd().split("\n")).toEqual(real);
    };
    compare();
    for (const c of ["ip route add 10.9.0.0/16 via 10.7.0.254 dev e0 table 100", "ip rule add fwmark 7 lookup 100"]) expect(inNs(c.split(" ")).status, c).toBe(0);
    compare();
  });
});
