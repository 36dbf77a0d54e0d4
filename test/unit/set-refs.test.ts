// A rule naming an ipset the node does not have is refused when it is loaded, as the kernel
// refuses it (measured: iptables v1.8.9 restore and -A both answer "Set NAME doesn't exist.").
import { describe, expect, it } from "vitest";
import { articleSession, rulesSession } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";

const RULES = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -j ACCEPT\n-A INPUT -m set --match-set no-such-set src -j ACCEPT\nCOMMIT\n";

describe("rules naming ipsets", () => {
  it("a missing set refuses the load at the rule's line and the name's column", () => {
    expect(() => rulesSession(RULES)).toThrow("test.rules:4:29: Set no-such-set doesn't exist.");
  });

  it("a set the node has loads (the article's node has Calico's sets)", () => {
    const s = rulesSession(RULES.replace("no-such-set", "cali40all-ipam-pools"));
    expect(runLine(s, "send tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0").error).toBeUndefined();
  });

  it("iptables -A with a missing set is refused at the name; the ruleset is unchanged", () => {
    const s = articleSession();
    const before = runLine(s, "save").text;
    const r = runLine(s, "iptables -A INPUT -m set --match-set nope src -j DROP");
    expect(r.error).toBe("column 38: Set nope doesn't exist.");
    expect(runLine(s, "save").text).toBe(before);
  });
});
