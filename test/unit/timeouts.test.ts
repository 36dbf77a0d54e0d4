// Conntrack timeouts come from the node's sysctls: a node with a 2 s UDP timeout sees a flow's
// next packet NEW again 3 s later; the kernel's defaults otherwise. And `tick` stays off stdout
// when the output is xtables-monitor lines.
import { describe, expect, it } from "vitest";
import { rulesSession, run } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import { DEFAULT_TIMEOUTS, timeoutsFromSysctl } from "../../src/engine/conntrack/timeouts.js";

const RULES = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n";
const last = (s: ReturnType<typeof rulesSession>) => s.sent[s.sent.length - 1]!.result;

describe("conntrack timeouts from the node", () => {
  it("reads every timeout sysctl, keeping defaults for missing or malformed values", () => {
    const t = timeoutsFromSysctl({
      "net.netfilter.nf_conntrack_udp_timeout": "2",
      "net.netfilter.nf_conntrack_udp_timeout_stream": " 5 ",
      "net.netfilter.nf_conntrack_tcp_timeout_established": "7200",
      "net.netfilter.nf_conntrack_tcp_timeout_syn_sent": "oops",
    });
    expect(t.udp).toBe(2);
    expect(t.udpStream).toBe(5);
    expect(t.tcp.ESTABLISHED).toBe(7200);
    expect(t.tcp.SYN_SENT).toBe(DEFAULT_TIMEOUTS.tcp.SYN_SENT);
    expect(t.icmp).toBe(30);
  });

  it("a 2 s UDP timeout: the same flow is NEW again 3 s later (default 30 s: still ESTABLISHED)", () => {
    for (const [timeout, after] of [["2", "NEW"], [undefined, "ESTABLISHED"]] as const) {
      const s = rulesSession(RULES);
      if (timeout) run(s, `sysctl -w net.netfilter.nf_conntrack_udp_timeout=${timeout}`);
      run(s, "send udp 192.168.1.20:40000 -> 192.168.1.88:53 in enp3s0", "reply", "tick 3", "send udp 192.168.1.20:40000 -> 192.168.1.88:53 in enp3s0");
      expect(last(s).ct?.state, `udp_timeout ${timeout ?? "default"}`).toBe(after);
    }
  });

  it("show conntrack counts the node's timeout down", () => {
    const s = rulesSession(RULES);
    run(s, "sysctl -w net.netfilter.nf_conntrack_tcp_timeout_syn_recv=45");
    run(s, "send tcp 192.168.1.20:40000 -> 192.168.1.88:22 in enp3s0", "reply");
    // conntrack -L rounds down: a millisecond after the reply, 44 of the 45 seconds are whole
    expect(run(s, "show conntrack")).toMatch(/^tcp\s+6 44 SYN_RECV /m);
  });

  it("show conntrack leaves out an entry whose timeout ran out, as conntrack -L does", () => {
    const s = rulesSession(RULES);
    run(s, "send tcp 192.168.1.20:40000 -> 192.168.1.88:22 in enp3s0", "tick 119");
    expect(run(s, "show conntrack")).toMatch(/^tcp\s+6 0 SYN_SENT /m); // 0.999 s left: conntrack -L says 0
    run(s, "tick 2");
    expect(run(s, "show conntrack")).toBe("conntrack table is empty");
  });

  it("tick says the clock moved on stderr (a note) when the format is xtables-monitor", () => {
    const s = rulesSession(RULES);
    expect(runLine(s, "tick 3")).toMatchObject({ text: "clock +3s" });
    run(s, "format xtables-monitor");
    expect(runLine(s, "tick 3")).toMatchObject({ text: "", note: "clock +3s" });
  });
});
