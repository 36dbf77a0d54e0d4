// -m recent vectors (kernel: xt_recent.c recent_mt — a list of addresses with time stamps:
// --set adds/refreshes and matches, --rcheck/--update match when listed (within --seconds,
// with --hitcount stamps), --remove deletes; "!" inverts; recent_mt_check refuses a hitcount
// of 65536 or more, and --seconds/--hitcount/--reap with --set or --remove — measured). A raw
// rule on port 1 fills the list in `before`.
import { describe, expect, it } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";
import { rulesSession, run } from "../../helpers/session.js";

const SEED = "send tcp 192.168.1.20:5000 -> 192.168.1.88:1 in enp3s0";
const P = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";
const SETTER = "*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 1 -m recent --set --name SEEN --mask 255.255.255.255 --rsource\nCOMMIT\n";
// (only port 22: the seeding packets on port 1 pass INPUT too)
const rule = (opts: string) => `-p tcp -m tcp --dport 22 -m recent ${opts} --name SEEN --mask 255.255.255.255 --rsource -j ACCEPT`;

describe("-m recent", () => {
  vectors([
    { name: "--set matches and lists the source", chain: "INPUT", rule: rule("--set"), packet: P, expect: { verdict: "ACCEPT" } },
    { name: "! --set never matches (but still lists)", chain: "INPUT", rule: rule("! --set"), packet: P, expect: { fail: "-m recent --set --name SEEN", why: "negated --set" } },
    { name: "--rcheck on an empty list misses", chain: "INPUT", rule: rule("--rcheck"), packet: P, expect: { fail: "-m recent --rcheck --name SEEN", why: "192.168.1.20 is not in list SEEN" } },
    { name: "! --rcheck on an empty list matches", chain: "INPUT", rule: rule("! --rcheck"), packet: P, expect: "match" },
    { name: "--rcheck after --set matches", chain: "INPUT", rule: rule("--rcheck"), extra: SETTER, before: [SEED], packet: P, expect: "match" },
    { name: "--rcheck --seconds: seen 9 s ago is recent", chain: "INPUT", rule: rule("--rcheck --seconds 10"), extra: SETTER, before: [SEED, "tick 9"], packet: P, expect: "match" },
    { name: "--rcheck --seconds: seen 11 s ago is not", chain: "INPUT", rule: rule("--rcheck --seconds 10"), extra: SETTER, before: [SEED, "tick 11"], packet: P,
      expect: { fail: "-m recent --rcheck --name SEEN", why: "last seen more than 10s ago" } },
    { name: "--hitcount 2 with one stamp misses", chain: "INPUT", rule: rule("--rcheck --seconds 60 --hitcount 2"), extra: SETTER, before: [SEED], packet: P,
      expect: { fail: "-m recent --rcheck --name SEEN", why: "1 hits of 2 within 60s" } },
    { name: "--hitcount 2 with two stamps matches", chain: "INPUT", rule: rule("--rcheck --seconds 60 --hitcount 2"), extra: SETTER, before: [SEED, SEED], packet: P, expect: "match" },
    { name: "--update refreshes the stamp: it keeps matching", chain: "INPUT", rule: rule("--update --seconds 10"), extra: SETTER, before: [SEED, "tick 8", `send ${P}`, "tick 8"], packet: P, expect: "match" },
    { name: "--rcheck does not refresh: the same timing misses", chain: "INPUT", rule: rule("--rcheck --seconds 10"), extra: SETTER, before: [SEED, "tick 8", `send ${P}`, "tick 8"], packet: P,
      expect: { fail: "-m recent --rcheck --name SEEN" } },
    { name: "--remove matches a listed address and removes it", chain: "INPUT", rule: rule("--remove"), extra: SETTER, before: [SEED], packet: P,
      expect: { verdict: "ACCEPT", check: (r) => {
        run(r.s, `send ${P}`);
        const again = r.s.sent[r.s.sent.length - 1]!.result.events.find((e) => e.kind === "nomatch" && e.chain === "INPUT");
        expect(again?.kind === "nomatch" && again.fail.why).toBe("192.168.1.20 is not in list SEEN");
      } } },
    { name: "--remove on an unlisted address misses", chain: "INPUT", rule: rule("--remove"), packet: P, expect: { fail: "-m recent --remove --name SEEN" } },
    { name: "another list name is another list", chain: "INPUT", rule: "-m recent --rcheck --name OTHER --mask 255.255.255.255 --rsource -j ACCEPT", extra: SETTER, before: [SEED], packet: P,
      expect: { fail: "-m recent --rcheck --name OTHER", why: "192.168.1.20 is not in list OTHER" } },
    { name: "--mask /24: a neighbour of a listed address counts", chain: "INPUT", rule: "-m recent --rcheck --name NET --mask 255.255.255.0 --rsource -j ACCEPT",
      extra: "*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 1 -m recent --set --name NET --mask 255.255.255.0 --rsource\nCOMMIT\n",
      before: [SEED], packet: "tcp 192.168.1.21:5000 -> 192.168.1.88:22 in enp3s0", expect: "match" },
    { name: "--rdest lists destinations", chain: "OUTPUT", rule: "-m recent --rcheck --name DST --mask 255.255.255.255 --rdest -j ACCEPT",
      extra: "*raw\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -m tcp --dport 1 -m recent --set --name DST --mask 255.255.255.255 --rdest\nCOMMIT\n",
      before: ["send tcp 192.168.1.88:40000 -> 192.168.1.20:1"], packet: "tcp 192.168.1.88:40001 -> 192.168.1.20:80", expect: "match" },
    {
      name: "--set with --seconds is refused (--seconds and --hitcount belong to --rcheck/--update)",
      chain: "INPUT",
      rule: rule("--set --seconds 10"),
      packet: P,
      // measured with iptables-nft-restore: RULE_APPEND failed (Invalid argument)
      expect: { loadError: /RULE_APPEND failed \(Invalid argument\)/ },
    },
    { name: "--remove with --hitcount is refused", chain: "INPUT", rule: rule("--remove --hitcount 2"), packet: P, expect: { loadError: /RULE_APPEND failed \(Invalid argument\)/ } },
    // measured on this kernel (ip_pkt_list_tot 0 = sized to the rules): 65535 loads, 65536 does not
    { name: "--hitcount 65535 loads (and cannot be reached by one stamp)", chain: "INPUT", rule: rule("--rcheck --hitcount 65535"), extra: SETTER, before: [SEED], packet: P,
      expect: { fail: "-m recent --rcheck --name SEEN" } },
    { name: "--hitcount 65536 is refused", chain: "INPUT", rule: rule("--rcheck --hitcount 65536"), packet: P, expect: { loadError: /RULE_APPEND failed \(Invalid argument\)/ } },
  ]);
});

// xt_recent adds one to the TTL of an outgoing packet with no socket (it was forwarded, and
// decremented already); the node's echo reply has the kernel's ICMP socket: recorded as sent, 64
describe("-m recent and the TTL it records", () => {
  const rules = "*mangle\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A OUTPUT -p icmp -m icmp --icmp-type 0 -m recent --set --name R --mask 255.255.255.255 --rdest\n-A POSTROUTING -p icmp -m icmp --icmp-type 8 -m recent --set --name F --mask 255.255.255.255 --rdest\nCOMMIT\n";
  const ttlIn = (s: ReturnType<typeof rulesSession>, list: string) => [...((s.engine.store.get(`recent:${list}`) as Map<number, { ttl: number }>) ?? new Map()).values()].map((e) => e.ttl);
  it("the node's echo reply: its own TTL; a forwarded ping: one more than it leaves with", () => {
    const s = rulesSession(rules);
    run(s, "send icmp 192.168.1.20 -> 192.168.1.88 in enp3s0", "reply");
    expect(ttlIn(s, "R")).toEqual([64]);
    run(s, "send icmp 192.168.1.20 -> 10.42.54.194 in enp3s0");
    expect(ttlIn(s, "F")).toEqual([64]);
  });
});
