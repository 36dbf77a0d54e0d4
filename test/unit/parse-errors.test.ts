// Every input error and load-time check, with its exact message: file, line, column, token.
import { describe, expect, it } from "vitest";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";

const err = (text: string) => {
  try {
    parseRuleset(text, { file: "rules.v4" });
  } catch (e) {
    return (e as Error).message;
  }
  return "(accepted)";
};
const filter = (...rules: string[]) => `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${rules.join("\n")}\nCOMMIT\n`;

describe("input errors name file:line:column and the token", () => {
  const cases: [string, string, string][] = [
    ["unknown option, with a hint", filter("-A INPUT -p tcp -m tcp --dprot 22 -j ACCEPT"), 'rules.v4:5:24: unknown option "--dprot" for match "tcp" (did you mean --dport?)'],
    ["unknown match", filter("-A INPUT -m conntrak --ctstate NEW -j ACCEPT"), 'rules.v4:5:13: unknown match "conntrak" (did you mean conntrack?)'],
    ["bad port", filter("-A INPUT -p tcp --dport 99999 -j ACCEPT"), 'rules.v4:5:25: invalid port/service "99999" specified'],
    ["bad address", filter("-A INPUT -s 300.1.1.1 -j ACCEPT"), 'rules.v4:5:13: host/network "300.1.1.1" not found (300 is more than 255: each number of an address is 0 to 255)'],
    ["option needs -p", filter("-A INPUT --dport 22 -j ACCEPT"), 'rules.v4:5:10: unknown option "--dport"'],
    ["tcp match without -p tcp", filter("-A INPUT -m tcp --dport 22 -j ACCEPT"), 'rules.v4:5:13: match "tcp" needs "-p tcp" on the rule'],
    ["negation that cannot be", filter("-A INPUT -m comment ! --comment x -j ACCEPT"), 'rules.v4:5:23: option "--comment" cannot be inverted'],
    ["unterminated quote", filter('-A INPUT -m comment --comment "open -j ACCEPT'), "rules.v4:5:31: unterminated quoted string"],
    ["missing COMMIT", "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n", 'rules.v4:4:1: COMMIT expected at line 4 (table "filter" was never committed)'],
    ["unknown table", "*filtre\nCOMMIT\n", "rules.v4:1:2: table name 'filtre' invalid (did you mean filter?)"],
    ["undeclared chain", filter("-A FOO -j ACCEPT"), 'rules.v4:5:4: chain "FOO" does not exist in table filter: declare it with ":FOO - [0:0]"'],
    ["jump to a chain that does not exist", filter("-A INPUT -j KUBE-SERVICE"), "rules.v4:5:13: Chain 'KUBE-SERVICE' does not exist in table filter"],
    ["a typographic dash pasted for --", filter("-A INPUT -p tcp \u2014dport 22 -j ACCEPT"), 'rules.v4:5:17: unexpected word "\u2014dport": a typographic dash, not "--" (did you mean "--dport"?)'],
    ["IPv4 -s a,b makes two rules; a bad one is named", filter("-A INPUT -s 10.0.0.1,10.0.0.x -j ACCEPT"), 'rules.v4:5:13: host/network "10.0.0.x" not found'],
  ];
  for (const [name, text, msg] of cases) it(name, () => expect(err(text)).toBe(msg));
});

describe("load-time checks the kernel makes", () => {
  const chain = (n: number) => Array.from({ length: n }, (_, i) => `:c${i + 1} - [0:0]`).join("\n");
  const jumps = (n: number) => Array.from({ length: n - 1 }, (_, i) => `-A c${i + 1} -j c${i + 2}`).join("\n");
  it("15 nested jumps are fine, a 16th is Too many links on the rule that makes it", () => {
    expect(err(`*filter\n:INPUT ACCEPT [0:0]\n${chain(16)}\n-A INPUT -j c1\n${jumps(15)}\nCOMMIT\n`)).toBe("(accepted)");
    expect(err(`*filter\n:INPUT ACCEPT [0:0]\n${chain(17)}\n-A INPUT -j c1\n${jumps(17)}\nCOMMIT\n`)).toBe(
      "rules.v4:35: RULE_APPEND failed (Too many links): rule in chain c15 (more than 15 nested jumps from INPUT)",
    );
  });
  it("a jump loop reachable from a base chain", () => {
    expect(err("*filter\n:INPUT ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A A -j B\n-A B -j A\nCOMMIT\n")).toBe(
      "rules.v4:7: RULE_APPEND failed (Too many links): rule in chain B (jump loop back to A)",
    );
    // nobody reaches it: the kernel does not check
    expect(err("*filter\n:INPUT ACCEPT [0:0]\n:A - [0:0]\n-A A -j A\nCOMMIT\n")).toBe("(accepted)");
  });
  it("a target outside its table", () => {
    expect(err(filter("-A INPUT -p tcp -j DNAT --to-destination 10.0.0.1:80"))).toBe(
      "rules.v4:5: RULE_APPEND failed (Invalid argument): rule in chain INPUT (target DNAT is only valid in the nat table, not filter)",
    );
  });
  it("a target outside its hook, blamed on the jump that reaches it", () => {
    expect(err("*nat\n:OUTPUT ACCEPT [0:0]\n:M - [0:0]\n-A M -j MASQUERADE\n-A OUTPUT -j M\nCOMMIT\n")).toBe(
      "rules.v4:5: RULE_APPEND failed (Invalid argument): rule in chain OUTPUT (MASQUERADE is not allowed in the OUTPUT hook; valid: POSTROUTING)",
    );
  });
  it("an option invalid for the protocol", () => {
    expect(err(filter("-A INPUT -p udp -j REJECT --reject-with tcp-reset"))).toBe(
      "rules.v4:5: RULE_APPEND failed (Invalid argument): rule in chain INPUT (REJECT --reject-with tcp-reset needs -p tcp)",
    );
    expect(err("*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j DNAT --to-destination 10.0.0.1:80\nCOMMIT\n")).toBe(
      'rules.v4:3:40: Need TCP, UDP, SCTP or DCCP with port specification',
    );
  });
  it("a jump to a built-in chain", () => {
    expect(err(filter("-A INPUT -j OUTPUT"))).toBe("rules.v4:5: RULE_APPEND failed (Operation not supported): rule in chain INPUT (a rule cannot jump to built-in chain OUTPUT)");
  });
});
