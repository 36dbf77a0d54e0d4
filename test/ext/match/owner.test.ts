// -m owner vectors: the sending socket's uid/gid (kernel: xt_owner.c owner_mt; hooks OUTPUT and
// POSTROUTING). ktrace's local packets come from a root socket (uid 0, gid 0); forwarded packets
// have no socket, and then the kernel matches only when every given option is negated
// ((info->match ^ info->invert) == 0).
import { describe, expect, it } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";
import { rulesSession, run } from "../../helpers/session.js";

const LOCAL = "tcp 192.168.1.88:40000 -> 192.168.1.20:80";
const FWD = "tcp 192.168.1.20:5000 -> 10.42.54.194:80 in enp3s0";

describe("-m owner", () => {
  vectors([
    { name: "uid 0 matches a root socket", chain: "OUTPUT", rule: "-m owner --uid-owner 0 -j ACCEPT", packet: LOCAL, expect: "match" },
    { name: "root is uid 0", chain: "OUTPUT", rule: "-m owner --uid-owner root -j ACCEPT", packet: LOCAL, expect: "match" },
    { name: "another uid misses", chain: "OUTPUT", rule: "-m owner --uid-owner 1000 -j ACCEPT", packet: LOCAL, expect: { fail: "-m owner --uid-owner 1000", why: "uid is 0" } },
    { name: "a range starting at 0 holds uid 0", chain: "OUTPUT", rule: "-m owner --uid-owner 0-999 -j ACCEPT", packet: LOCAL, expect: "match" },
    { name: "a range starting at 1 does not", chain: "OUTPUT", rule: "-m owner --uid-owner 1-4294967294 -j ACCEPT", packet: LOCAL, expect: { fail: "-m owner --uid-owner 1-4294967294", why: "uid is 0" } },
    { name: "negated uid: another uid matches", chain: "OUTPUT", rule: "-m owner ! --uid-owner 1000 -j ACCEPT", packet: LOCAL, expect: "match" },
    { name: "negated uid: the socket's own uid misses", chain: "OUTPUT", rule: "-m owner ! --uid-owner 0 -j ACCEPT", packet: LOCAL, expect: { fail: "-m owner ! --uid-owner 0", why: "uid is 0" } },
    { name: "gid 0 matches", chain: "OUTPUT", rule: "-m owner --gid-owner 0 -j ACCEPT", packet: LOCAL, expect: "match" },
    { name: "another gid misses", chain: "OUTPUT", rule: "-m owner --gid-owner 100 -j ACCEPT", packet: LOCAL, expect: { fail: "-m owner --gid-owner 100", why: "gid is 0" } },
    { name: "uid and gid both checked: the gid misses", chain: "OUTPUT", rule: "-m owner --uid-owner 0 --gid-owner 100 -j ACCEPT", packet: LOCAL, expect: { fail: "-m owner --gid-owner 100" } },
    { name: "--socket-exists on a local packet", chain: "OUTPUT", rule: "-m owner --socket-exists -j ACCEPT", packet: LOCAL, expect: "match" },
    { name: "! --socket-exists misses a local packet", chain: "OUTPUT", rule: "-m owner ! --socket-exists -j ACCEPT", packet: LOCAL, expect: { fail: "-m owner ! --socket-exists", why: "packet has a socket" } },
    { name: "POSTROUTING sees the local socket too", table: "mangle", chain: "POSTROUTING", rule: "-m owner --uid-owner 0", packet: LOCAL, expect: "match" },
    { name: "forwarded: no socket, --uid-owner misses", table: "mangle", chain: "POSTROUTING", rule: "-m owner --uid-owner 0", packet: FWD,
      expect: { fail: "-m owner --uid-owner 0", why: "no local socket" } },
    { name: "forwarded: no socket, ! --uid-owner matches", table: "mangle", chain: "POSTROUTING", rule: "-m owner ! --uid-owner 0", packet: FWD, expect: "match" },
    { name: "forwarded: --socket-exists misses", table: "mangle", chain: "POSTROUTING", rule: "-m owner --socket-exists", packet: FWD, expect: { fail: "-m owner --socket-exists", why: "no local socket" } },
    { name: "forwarded: ! --socket-exists matches", table: "mangle", chain: "POSTROUTING", rule: "-m owner ! --socket-exists", packet: FWD, expect: "match" },
    { name: "forwarded: one negated and one plain option is no match (match ^ invert != 0)", table: "mangle", chain: "POSTROUTING",
      rule: "-m owner ! --uid-owner 0 --gid-owner 0", packet: FWD, expect: { fail: "-m owner --gid-owner 0", why: "no local socket" } },
    { name: "refused in PREROUTING", table: "mangle", chain: "PREROUTING", rule: "-m owner --uid-owner 0", packet: LOCAL, expect: { loadError: /-m owner cannot be used in the PREROUTING hook/ } },
    { name: "refused in FORWARD", chain: "FORWARD", rule: "-m owner --uid-owner 0", packet: LOCAL, expect: { loadError: /-m owner cannot be used in the FORWARD hook/ } },
    { name: "refused in a user chain reached from INPUT", chain: "OWN", via: "INPUT", rule: "-m owner --socket-exists", packet: LOCAL, expect: { loadError: /-m owner cannot be used in the INPUT hook/ } },
  ]);
});

// The node's own answers that no process sends: the echo reply to a ping (icmp_reply), the stack's
// reset for a closed port and every icmp_send error leave from a socket of the kernel's own, with
// no file: xt_owner sees a socket, and matches uid and gid options only negated. REJECT's reset
// (nf_send_reset) has no socket at all. Measured: test/kernel/scenarios/51-owner-local-sockets.json.
describe("-m owner on the kernel's own answers", () => {
  const rules = [
    "*mangle", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
    "-A OUTPUT -m owner --socket-exists -j MARK --set-xmark 0x1/0xf",
    "-A OUTPUT -m owner ! --socket-exists -j MARK --set-xmark 0x2/0xf",
    "-A OUTPUT -m owner --uid-owner 0 -j MARK --set-xmark 0x10/0xf0",
    "-A OUTPUT -m owner ! --gid-owner 0 -j MARK --set-xmark 0x20/0xf0",
    "COMMIT",
    "*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
    "-A INPUT -p tcp -m tcp --dport 7001 -j REJECT --reject-with tcp-reset",
    "COMMIT", "",
  ].join("\n");
  type Ev = { kind: string; rule?: { text: string }; events?: Ev[] };
  /** The owner rules that matched the packet (or, with `answer`, the node's answer to it). */
  const matched = (command: string, answer = false) => {
    const s = rulesSession(rules);
    run(s, ...command.split("; "));
    let events = s.sent[s.sent.length - 1]!.result.events as unknown as Ev[];
    if (answer) events = events.find((e) => e.kind === "spawned")!.events!;
    return events.filter((e) => e.kind === "rule" && e.rule!.text.includes("owner")).map((e) => e.rule!.text.replace(/^-m owner | -j MARK.*$/g, ""));
  };

  it("the echo reply to a ping: a socket, no owner", () => {
    expect(matched("send icmp 192.168.1.20 -> 192.168.1.88 in enp3s0; reply")).toEqual(["--socket-exists", "! --gid-owner 0"]);
  });
  it("a packet the node's own process sends: a socket, root's", () => {
    expect(matched("send tcp 192.168.1.88:40000 -> 192.168.1.20:80")).toEqual(["--socket-exists", "--uid-owner 0"]);
  });
  it("REJECT's reset: no socket at all", () => {
    expect(matched("send tcp 192.168.1.20:5001 -> 192.168.1.88:7001 in enp3s0", true)).toEqual(["! --socket-exists", "! --gid-owner 0"]);
  });
});
