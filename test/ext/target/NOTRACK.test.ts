// -j NOTRACK vectors (kernel: xt_CT.c notrack_tg — the packet gets the untracked conntrack, so
// no entry is made, nat never sees it and -m state/conntrack say UNTRACKED; raw table only).
import { describe, expect } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const IN = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";
const STATE = "*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT\n-A OUTPUT -m conntrack --ctstate UNTRACKED -j ACCEPT\nCOMMIT\n";
const NAT = "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -j DNAT --to-destination 192.168.1.88:2222\nCOMMIT\n";

describe("-j NOTRACK", () => {
  vectors([
    { name: "continues; the packet is UNTRACKED and no entry is made", table: "raw", chain: "PREROUTING", rule: "-p tcp -m tcp --dport 22 -j NOTRACK", packet: IN, extra: STATE,
      expect: { verdict: "CONTINUE", fate: { kind: "delivered" }, check: (r) => {
        expect(r.result.ct?.state).toBe("UNTRACKED");
        expect(r.s.engine.conntrack.entries).toHaveLength(0);
        const acc = r.result.events.find((e) => e.kind === "rule" && e.table === "filter");
        expect(acc?.kind === "rule" && acc.rule.text).toBe("-m conntrack --ctstate UNTRACKED -j ACCEPT");
      } } },
    { name: "nat does not see an untracked packet", table: "raw", chain: "PREROUTING", rule: "-j NOTRACK", packet: IN, extra: NAT,
      expect: { check: (r) => {
        expect(r.result.events.some((e) => e.kind === "nat")).toBe(false);
        expect(r.result.pkt.dport).toBe(22);
      } } },
    { name: "in raw OUTPUT", table: "raw", chain: "OUTPUT", rule: "-j NOTRACK", packet: "tcp 192.168.1.88:40000 -> 192.168.1.20:80", extra: STATE,
      expect: { verdict: "CONTINUE", check: (r) => expect(r.result.ct?.state).toBe("UNTRACKED") } },
    { name: "a packet the rule misses is tracked as usual", table: "raw", chain: "PREROUTING", rule: "-p udp -j NOTRACK", packet: IN, extra: STATE,
      expect: { fail: "-p udp", why: "protocol is tcp", check: (r) => {
        expect(r.result.ct?.state).toBe("NEW");
        expect(r.s.engine.conntrack.entries).toHaveLength(1);
      } } },
    { name: "refused outside raw", table: "mangle", chain: "PREROUTING", rule: "-j NOTRACK", packet: IN, expect: { loadError: /only valid in the raw table/ } },
    { name: "refused in filter", chain: "INPUT", rule: "-j NOTRACK", packet: IN, expect: { loadError: /only valid in the raw table/ } },
  ]);
});
