// The iptables command in a session: the article's first step typed by hand, listings, and
// the kernel's checks refusing a bad change without touching the ruleset.
import { describe, expect, it } from "vitest";
import { articleSession, run } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import { saveRuleset } from "../../src/engine/save/save.js";

describe("iptables", () => {
  it("adding the article's TRACE rule makes the packet traced", () => {
    const s = articleSession();
    run(s, "iptables -t raw -D OUTPUT 2", "format xtables-monitor");
    expect(run(s, "send tcp 192.168.1.88:40000 -> 10.43.156.98:9898")).toBe("");
    expect(run(s, "iptables -t raw -A OUTPUT -p tcp --dport 9898 -j TRACE")).toMatch(/^-t raw -A OUTPUT -p tcp -m tcp --dport 9898 -j TRACE {2}\(rule #2, handle 0x[0-9a-f]+\)$/);
    // an insert is listed as iptables-save lists it, with -A, and says where it went
    expect(run(s, "iptables -t raw -I PREROUTING -j TRACE")).toMatch(/^-t raw -A PREROUTING -j TRACE {2}\(inserted as rule #1, handle 0x[0-9a-f]+\)$/);
    expect(run(s, "send tcp 192.168.1.88:40001 -> 10.43.156.98:9898")).toContain("raw:OUTPUT:rule:");
  });
  it("lists like iptables -L and prints rules like iptables -S", () => {
    const s = articleSession();
    expect(run(s, "iptables -t nat -L KUBE-MARK-MASQ")).toBe("Chain KUBE-MARK-MASQ (17 references)\ntarget     prot opt source               destination         \nMARK       all  --  0.0.0.0/0            0.0.0.0/0            MARK or 0x4000");
    expect(run(s, "iptables -t nat -L KUBE-MARK-MASQ -n --line-numbers")).toBe("Chain KUBE-MARK-MASQ (17 references)\nnum  target     prot opt source               destination         \n1    MARK       all  --  0.0.0.0/0            0.0.0.0/0            MARK or 0x4000");
    // -x: exact counters, "%8llu" under a "%8s %10s" header (measured with iptables 1.8.9)
    run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
    expect(run(s, "iptables -t nat -nvxL KUBE-MARK-MASQ")).toBe("Chain KUBE-MARK-MASQ (17 references)\n    pkts      bytes target     prot opt in     out     source               destination         \n       1       60 MARK       all  --  *      *       0.0.0.0/0            0.0.0.0/0            MARK or 0x4000");
    expect(runLine(s, "iptables -t nat -L KUBE-MARK-MASQ -q").error).toBe('column 35: unexpected "-q" after -L KUBE-MARK-MASQ (listing takes -n, -v, -x, --line-numbers)');
    expect(run(s, "iptables -t nat -S KUBE-MARK-MASQ")).toBe("-N KUBE-MARK-MASQ\n-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000");
  });
  it("a refused change leaves the ruleset as it was", () => {
    const s = articleSession();
    const before = saveRuleset(s.engine.ruleset);
    run(s, "iptables -t nat -N LOOP", "iptables -t nat -A LOOP -j KUBE-SERVICES");
    const r = runLine(s, "iptables -t nat -A KUBE-MARK-MASQ -j LOOP");
    expect(r.error).toBe("RULE_APPEND failed (Too many links): rule in chain KUBE-MARK-MASQ (jump loop back to KUBE-SERVICES)");
    expect(runLine(s, "iptables -A FORWARD -j NOPE").error).toBe("column 24: Chain 'NOPE' does not exist in table filter");
    run(s, "iptables -t nat -F LOOP", "iptables -t nat -X LOOP");
    expect(saveRuleset(s.engine.ruleset)).toBe(before);
  });
  it("a new rule using conntrack switches conntrack on", () => {
    const s = articleSession();
    s.engine.conntrackOn = false;
    run(s, "iptables -A INPUT -m conntrack --ctstate INVALID -j DROP");
    expect(s.engine.conntrackOn).toBe(true);
  });
});
