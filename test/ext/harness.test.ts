// The vector harness itself can fail: a wrong expectation, a rule the packet never reaches and
// a load error that does not happen are all caught, so a passing vector file means something.
import { describe, expect, it } from "vitest";
import { checkVector, vectorRules, type Vector } from "../helpers/ext-vectors.js";

const IN = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";
const base: Vector = { name: "t", chain: "INPUT", rule: "-p tcp -m tcp --dport 22 -j ACCEPT", packet: IN, expect: "match" };

describe("ext-vectors harness", () => {
  it("a right expectation passes", () => {
    expect(() => checkVector(base)).not.toThrow();
  });
  it("'match' fails on a rule that misses, naming the clause", () => {
    expect(() => checkVector({ ...base, rule: "-p tcp -m tcp --dport 23 -j ACCEPT" })).toThrow(/nomatch: -m tcp --dport 23/);
  });
  it("a wrong failing clause or why fails", () => {
    expect(() => checkVector({ ...base, rule: "-p tcp -m tcp --dport 23 -j ACCEPT", expect: { fail: "-m tcp --dport 24" } })).toThrow();
    expect(() => checkVector({ ...base, rule: "-p tcp -m tcp --dport 23 -j ACCEPT", expect: { fail: "-m tcp --dport 23", why: "dport is 21" } })).toThrow();
  });
  it("a target's wrong verdict or packet fails", () => {
    expect(() => checkVector({ ...base, table: "mangle", chain: "PREROUTING", rule: "-j MARK --set-mark 0x1", expect: { verdict: "ACCEPT" } })).toThrow();
    expect(() => checkVector({ ...base, table: "mangle", chain: "PREROUTING", rule: "-j MARK --set-mark 0x1", expect: { after: { mark: 2 } } })).toThrow();
  });
  it("a rule the packet never reaches is an error, not a pass", () => {
    expect(() => checkVector({ ...base, chain: "FORWARD" })).toThrow(/never reached the rule/);
  });
  it("a load error that does not happen fails", () => {
    expect(() => checkVector({ ...base, expect: { loadError: /anything/ } })).toThrow();
  });
  it("a user chain is reached through its via chain; extra rules join the vector's table", () => {
    const text = vectorRules({ ...base, chain: "MINE", via: "INPUT", extra: "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p udp -j DROP\nCOMMIT\n" });
    expect(text).toBe("*filter\n:MINE - [0:0]\n:INPUT ACCEPT [0:0]\n-A INPUT -p udp -j DROP\n-A INPUT -j MINE\n-A MINE -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n");
    expect(() => checkVector({ ...base, chain: "MINE", via: "INPUT" })).not.toThrow();
  });
});
