// icmp_send's per-destination rate limit, kernel against ktrace: a burst of TTL-1 datagrams through
// a router (time-exceeded), then datagrams REJECTed with port-unreachable, all to one client. The
// router counts the ICMP errors it sends in filter OUTPUT; ktrace, run with --live in the same
// namespace for the same packets (all at one simulated instant), must count the same.
// Needs root (runs when CI=true); a burst of 14 packets takes a few ms, well inside the 1 s refill.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../dist/ktrace-repl.js", import.meta.url));
const root = process.getuid?.() === 0 && spawnSync("ip", ["netns", "list"]).status === 0 && spawnSync("iptables-restore", ["--version"]).status === 0;
if (!root && process.env.CI === "true") throw new Error("CI=true but the ICMP rate-limit test cannot run: it needs root, iproute2 and iptables");
if (!root) console.warn("[icmp-ratelimit] SKIPPED: needs root, iproute2 and iptables");

const R = `ktrl${process.pid}r`;
const C = `ktrl${process.pid}c`;
const inNs = (ns: string, cmd: string[], input?: string) => spawnSync("ip", ["netns", "exec", ns, ...cmd], { encoding: "utf8", input });
afterAll(() => {
  if (root) for (const n of [R, C]) spawnSync("ip", ["netns", "del", n]);
});

const RULES = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -p udp -m udp --dport 99 -j REJECT --reject-with icmp-port-unreachable
-A OUTPUT -p icmp -m icmp --icmp-type 11 -j ACCEPT
-A OUTPUT -p icmp -m icmp --icmp-type 3/3 -j ACCEPT
COMMIT
`;

const CLIENT = `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.7.0.2", 41000))
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)
for i in range(10): s.sendto(b"x", ("10.8.0.9", 53))
t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t.bind(("10.7.0.2", 41001))
for i in range(4): t.sendto(b"x", ("10.8.0.9", 99))
`;

describe.skipIf(!root)("icmp_send rate limit", () => {
  it("six errors at once per destination, shared by time-exceeded and REJECT's port-unreachable", () => {
    for (const n of [R, C]) expect(spawnSync("ip", ["netns", "add", n]).status).toBe(0);
    const setup: [string, string][] = [
      [R, "ip link set lo up"], [R, "ip link add r0 type veth peer name c0"], [R, `ip link set c0 netns ${C}`],
      [R, "ip addr add 10.7.0.1/24 dev r0"], [R, "ip link set r0 up"], [R, "ip link add r1 type veth peer name r1p"],
      [R, "ip addr add 10.8.0.1/24 dev r1"], [R, "ip link set r1 up"], [R, "ip link set r1p up"], [R, "sysctl -qw net.ipv4.ip_forward=1"],
      [R, "ip neigh add 10.8.0.9 lladdr 02:00:00:00:00:09 dev r1"],
      [C, "ip addr add 10.7.0.2/24 dev c0"], [C, "ip link set c0 up"], [C, "ip route add default via 10.7.0.1"],
    ];
    for (const [ns, c] of setup) expect(inNs(ns, c.split(" ")).status, c).toBe(0);
    expect(inNs(R, ["iptables-restore"], RULES).status).toBe(0);
    const client = inNs(C, ["python3", "-c", CLIENT]);
    expect(client.status, client.stderr).toBe(0);
    const counts = (listing: string) => listing.split("\n").filter((l) => /icmptype/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    const kernel = counts(inNs(R, ["iptables", "-L", "OUTPUT", "-v", "-n", "-x"]).stdout);
    expect(kernel).toEqual(["6", "0"]);
    const cmds: string[] = [];
    for (let i = 0; i < 10; i++) cmds.push("-e", "send udp 10.7.0.2:41000 -> 10.8.0.9:53 in r0 ttl 1");
    for (let i = 0; i < 4; i++) cmds.push("-e", "send udp 10.7.0.2:41001 -> 10.8.0.9:99 in r0");
    cmds.push("-e", "tick 1", "-e", "send udp 10.7.0.2:41001 -> 10.8.0.9:99 in r0", "-e", "iptables -L OUTPUT -v -n -x");
    const sim = inNs(R, [process.execPath, BIN, "--live", "--format", "explain", ...cmds]);
    expect(sim.status, sim.stderr).toBe(0);
    // after `tick 1` one more error may go: the bucket refilled by one
    if (process.env.KTK_DEBUG) console.log(sim.stdout.split("\n").filter((l) => /FATE|↳|icmptype/.test(l)).join("\n"));
    expect(counts(sim.stdout)).toEqual(["6", "1"]);
  });
});
