// -j TRACE vectors (kernel: nft's meta nftrace set 1 — iptables-nft loads TRACE natively, so it
// works in any table (measured, docs/kernel-notes/xtables-monitor-format.md); the packet is
// traced from the rule on, XT_CONTINUE).
import { describe, expect } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const IN = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";

describe("-j TRACE", () => {
  vectors([
    { name: "continues and sets the trace flag", table: "raw", chain: "PREROUTING", rule: "-p tcp -m tcp --dport 22 -j TRACE", packet: IN,
      expect: { verdict: "CONTINUE", after: { nfTrace: true }, fate: { kind: "delivered" } } },
    { name: "the rule itself and what follows are traced", table: "raw", chain: "PREROUTING", rule: "-j TRACE", packet: IN,
      extra: "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n",
      expect: { check: (r) => {
        expect(r.event.traced).toBe(true);
        const acc = r.result.events.find((e) => e.kind === "rule" && e.table === "filter");
        expect(acc?.kind === "rule" && acc.traced).toBe(true);
        expect(r.result.events.some((e) => e.kind === "packet" && e.table === "raw")).toBe(true);
      } } },
    { name: "rules before it are not traced", table: "raw", chain: "PREROUTING", rule: "-j TRACE", packet: IN,
      extra: "*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p udp -j ACCEPT\nCOMMIT\n",
      expect: { check: (r) => {
        const before = r.result.events.find((e) => e.kind === "nomatch" && e.table === "raw");
        expect(before?.kind === "nomatch" && before.traced).toBe(false);
      } } },
    { name: "a packet the rule misses stays untraced", table: "raw", chain: "PREROUTING", rule: "-p udp -j TRACE", packet: IN,
      expect: { fail: "-p udp", check: (r) => expect(r.result.pkt.nfTrace).toBe(false) } },
    { name: "in raw OUTPUT", table: "raw", chain: "OUTPUT", rule: "-j TRACE", packet: "tcp 192.168.1.88:40000 -> 192.168.1.20:80", expect: { verdict: "CONTINUE", after: { nfTrace: true } } },
    { name: "in filter too (iptables-nft)", chain: "INPUT", rule: "-j TRACE", packet: IN, expect: { verdict: "CONTINUE", after: { nfTrace: true } } },
  ]);
});
