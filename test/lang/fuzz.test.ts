// Nothing a user types crashes a session or shows an internal error: thousands of random
// command lines built from the command vocabulary, real arguments and garbage.
import { describe, expect, it } from "vitest";
import { articleSession } from "../helpers/session.js";
import { runLine, COMMANDS } from "../../src/lang/commands/index.js";
import { createRng } from "../../src/engine/rng.js";

const WORDS = [
  ...COMMANDS.map((c) => c.name), "tcp", "udp", "icmp", "sctp", "->", "to", "in", "len", "flags", "mark", "ttl", "payload",
  "192.168.1.88:49058", "10.43.156.98:9898", "10.42.54.194", "127.0.0.1:80", "0.0.0.0:0", "255.255.255.255:65535", "1.2.3.4:99999",
  "enp3s0", "lo", "vxlan.calico", "nosuchif", "SYN", "SYN,ACK", "FIN,PSH", "BOGUS", "0x4000", "-1", "999999999999", "3",
  "nat", "filter", "raw", "mangle", "OUTPUT", "KUBE-SERVICES", "KUBE-SVC-Y4T5L63IYP3YFEBS", "chain", "table", "rule", "hook",
  "verdict", "DROP", "state", "conntrack", "path", "routes", "sets", "trace", "get", "from", "iif", "break", "canned", "article",
  "rules", "/nonexistent", "snapshot", "explain", "json", "xtables-monitor", "modern", '"', '"quoted word"', "!", "--", "",
];

describe("fuzzing the command language", () => {
  it("never throws and never reports an internal error", () => {
    const rng = createRng(42);
    const s = articleSession(7);
    const pick = () => WORDS[rng.u32() % WORDS.length]!;
    for (let i = 0; i < 4000; i++) {
      const n = 1 + (rng.u32() % 7);
      const line = Array.from({ length: n }, pick).join(" ");
      if (/^\s*(quit|exit)\b/.test(line)) continue;
      let r: ReturnType<typeof runLine> | undefined;
      expect(() => (r = runLine(s, line)), line).not.toThrow();
      expect(r!.error ?? "", line).not.toMatch(/internal error/);
      if (i % 500 === 499) runLine(s, "reset");
    }
  });
});
