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
const R2 = `ktrl${process.pid}r2`;
const C2 = `ktrl${process.pid}c2`;
const inNs = (ns: string, cmd: string[], input?: string) => spawnSync("ip", ["netns", "exec", ns, ...cmd], { encoding: "utf8", input });
afterAll(() => {
  if (root) for (const n of [R, C, R2, C2]) spawnSync("ip", ["netns", "del", n]);
});

/** A router r (10.7.0.1 on r0 towards the client c, 10.8.0.1 on r1 with MTU r1Mtu) and a client c. */
function makeLab(r: string, c: string, rules: string, r1Mtu = 1500, clientAddrs = ["10.7.0.2"]): void {
  for (const n of [r, c]) expect(spawnSync("ip", ["netns", "add", n]).status).toBe(0);
  const setup: [string, string][] = [
    [r, "ip link set lo up"], [r, "ip link add r0 type veth peer name c0"], [r, `ip link set c0 netns ${c}`],
    [r, "ip addr add 10.7.0.1/24 dev r0"], [r, "ip link set r0 up"], [r, "ip link add r1 type veth peer name r1p"],
    [r, "ip addr add 10.8.0.1/24 dev r1"], [r, `ip link set r1 mtu ${r1Mtu}`], [r, "ip link set r1 up"], [r, "ip link set r1p up"],
    [r, "sysctl -qw net.ipv4.ip_forward=1"], [r, "ip neigh add 10.8.0.9 lladdr 02:00:00:00:00:09 dev r1"],
    ...clientAddrs.map((a): [string, string] => [c, `ip addr add ${a}/24 dev c0`]), [c, "ip link set c0 up"], [c, "ip route add default via 10.7.0.1"],
  ];
  for (const [ns, cmd] of setup) expect(inNs(ns, cmd.split(" ")).status, cmd).toBe(0);
  expect(inNs(r, ["iptables-restore"], rules).status).toBe(0);
}

const counts = (listing: string) => listing.split("\n").filter((l) => /icmptype/.test(l)).map((l) => l.trim().split(/\s+/)[0]);

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
    makeLab(R, C, RULES);
    const client = inNs(C, ["python3", "-c", CLIENT]);
    expect(client.status, client.stderr).toBe(0);
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
  it("fragmentation-needed is never limited, each destination has its own bucket, errors to ourselves go unlimited", () => {
    const rules = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p icmp -m icmp --icmp-type 3/3 -j ACCEPT
-A OUTPUT -p icmp -m icmp --icmp-type 11 -j ACCEPT
-A OUTPUT -p icmp -m icmp --icmp-type 3/4 -j ACCEPT
-A OUTPUT -p udp -m udp --dport 98 -j REJECT --reject-with icmp-port-unreachable
COMMIT
`;
    makeLab(R2, C2, rules, 1000, ["10.7.0.2", "10.7.0.3"]);
    // DF kept and the learned MTU ignored (IP_PMTUDISC_PROBE), so every datagram reaches the router
    const client = `
import socket
for src, port, n in (("10.7.0.2", 41010, 8), ("10.7.0.3", 41011, 8)):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((src, port)); s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)
    for i in range(n): s.sendto(b"x", ("10.8.0.9", 53))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("10.7.0.2", 41012)); u.setsockopt(socket.IPPROTO_IP, 10, 3)
for i in range(8): u.sendto(b"x" * 1200, ("10.8.0.9", 53))
`;
    const self = `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.8.0.1", 41013))
for i in range(10):
    try: s.sendto(b"x", ("10.8.0.9", 98))
    except OSError: pass  # the REJECT's error reaches the socket as EPERM
`;
    for (const [ns, py] of [[C2, client], [R2, self]] as const) {
      const r = inNs(ns, ["python3", "-c", py]);
      expect(r.status, r.stderr).toBe(0);
    }
    const list = (chain: string, out: string) => counts(out.split(/\n(?=Chain )/).find((b) => b.startsWith(`Chain ${chain} `)) ?? "");
    const real = inNs(R2, ["iptables", "-L", "-v", "-n", "-x"]).stdout;
    // time-exceeded: 6 per client address; frag-needed: all 8; REJECTs of our own packets: all 10
    expect([list("INPUT", real), list("OUTPUT", real)]).toEqual([["10"], ["12", "8"]]);
    const cmds: string[] = [];
    for (const [src, n] of [["10.7.0.2:41010", 8], ["10.7.0.3:41011", 8]] as const) for (let i = 0; i < n; i++) cmds.push("-e", `send udp ${src} -> 10.8.0.9:53 in r0 ttl 1`);
    for (let i = 0; i < 8; i++) cmds.push("-e", "send udp 10.7.0.2:41012 -> 10.8.0.9:53 in r0 len 1228");
    for (let i = 0; i < 10; i++) cmds.push("-e", "send udp 10.8.0.1:41013 -> 10.8.0.9:98");
    cmds.push("-e", "iptables -L -v -n -x");
    const sim = inNs(R2, [process.execPath, BIN, "--live", "--format", "json", ...cmds]);
    expect(sim.status, sim.stderr).toBe(0);
    expect([list("INPUT", sim.stdout), list("OUTPUT", sim.stdout)]).toEqual([["10"], ["12", "8"]]);
  });
});
