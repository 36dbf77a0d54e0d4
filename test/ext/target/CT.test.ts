// -j CT vectors (kernel: xt_CT.c xt_ct_target — --notrack attaches the untracked state, --zone
// puts the connection in that conntrack zone; XT_CONTINUE; the target is raw-table only).
import { describe, expect } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const IN = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";
const STATE = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate UNTRACKED\nCOMMIT\n";

describe("-j CT", () => {
  vectors([
    { name: "--notrack: continues, the packet is UNTRACKED, no entry", table: "raw", chain: "PREROUTING", rule: "-p tcp -m tcp --dport 22 -j CT --notrack", packet: IN, extra: STATE,
      expect: { verdict: "CONTINUE", check: (r) => {
        expect(r.result.ct?.state).toBe("UNTRACKED");
        expect(r.s.engine.conntrack.entries).toHaveLength(0);
      } } },
    { name: "--notrack in raw OUTPUT", table: "raw", chain: "OUTPUT", rule: "-j CT --notrack", packet: "tcp 192.168.1.88:40000 -> 192.168.1.20:80", extra: STATE,
      expect: { check: (r) => expect(r.result.ct?.state).toBe("UNTRACKED") } },
    { name: "--zone 5: the entry lives in zone 5", table: "raw", chain: "PREROUTING", rule: "-j CT --zone 5", packet: IN, extra: STATE,
      expect: { verdict: "CONTINUE", check: (r) => expect(r.s.engine.conntrack.entries.map((e) => e.zone)).toEqual([5]) } },
    { name: "without the rule the zone is 0", table: "raw", chain: "PREROUTING", rule: "-p udp -j CT --zone 5", packet: IN, extra: STATE,
      expect: { fail: "-p udp", check: (r) => expect(r.s.engine.conntrack.entries.map((e) => e.zone)).toEqual([0]) } },
  ]);
});
