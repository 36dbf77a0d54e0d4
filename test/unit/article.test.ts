// The article, rebuilt: the canned node reproduces the article's real capture, and explain mode
// shows what the capture could not.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { articleSession, normTrace, run } from "../helpers/session.js";
import { fixturePath } from "../helpers/vectors.js";

// The seed whose first random draws give IP id 45471 and pick KUBE-SEP-OYNVDBAPYJ623W6H, as in
// the capture (found with scripts/find-article-seed.mjs).
const ARTICLE_SEED = 71508;

describe("the article's capture", () => {
  it("connect prints the capture's trace lines identically (trace ids aside)", () => {
    const s = articleSession(ARTICLE_SEED);
    run(s, "format xtables-monitor", "dialect article");
    const ours = run(s, "connect tcp 192.168.1.88:49058 -> 10.43.156.98:9898 payload 81");
    const capture = readFileSync(fixturePath("article-trace.txt"), "utf8").split("\n").filter((l) => /^(PACKET| TRACE):/.test(l)).join("\n");
    expect(capture.split("\n")).toHaveLength(155);
    expect(normTrace(ours)).toBe(normTrace(capture));
  });

  it("another seed takes the other endpoint", () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const s = articleSession(seed);
      run(s, "format xtables-monitor");
      const out = run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
      seen.add(/JUMP:(KUBE-SEP-\w+)/.exec(out)![1]!);
    }
    expect([...seen].sort()).toEqual(["KUBE-SEP-6G2GMHWEBXQ5W3DV", "KUBE-SEP-OYNVDBAPYJ623W6H"]);
  });
});

describe("what the article could not see", () => {
  const s = articleSession(ARTICLE_SEED);
  const explain = run(s, "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");

  it("shows the raw cali-OUTPUT MARK rule that ran before tracing began, as hidden", () => {
    expect(explain).toMatch(/cali-OUTPUT #1 {2}✓ CONTINUE {2}-A cali-OUTPUT -m comment --comment "cali:njdnLwYeGqBJyMxW" -j MARK --set-xmark 0x0\/0xf0000 {3}\[hidden from the kernel trace\]/);
  });

  it("shows rules that did not match and why", () => {
    expect(explain).toContain('KUBE-SERVICES #1  ✗ -d 10.43.0.1/32 — dst is 10.43.156.98');
  });

  it("shows the packet after MASQUERADE: node vxlan address and a random source port", () => {
    const m = /POSTROUTING SNAT \(new binding\): tcp 192\.168\.1\.88:49058 -> 10\.42\.54\.194:9898 SYN len 60 mark 0x4000 ⇒ tcp 10\.42\.135\.130:(\d+) -> 10\.42\.54\.194:9898/.exec(explain);
    expect(m).not.toBeNull();
    const port = Number(m![1]);
    expect(port).toBeGreaterThanOrEqual(1024);
    expect(port).not.toBe(49058);
    expect(explain).toMatch(/FATE: sent out vxlan\.calico via 10\.42\.54\.193 as tcp 10\.42\.135\.130:\d+ -> 10\.42\.54\.194:9898/);
  });

  it("shows the conntrack entry with both tuples", () => {
    const ct = run(s, "show conntrack");
    expect(ct).toMatch(/^tcp {6}6 119 SYN_SENT src=192\.168\.1\.88 dst=10\.43\.156\.98 sport=49058 dport=9898 \[UNREPLIED\] src=10\.42\.54\.194 dst=10\.42\.135\.130 sport=9898 dport=\d+ mark=0 use=1$/m);
  });

  it("the reply comes back un-DNATed and un-SNATed with no nat rule", () => {
    const out = run(s, "reply");
    expect(out).toContain("PREROUTING nat: skipped — a reply: translated from the conntrack entry");
    expect(out).toMatch(/FATE: delivered to a local socket \(arrived on lo|FATE: delivered to a local socket/);
    expect(out).toMatch(/as tcp 10\.43\.156\.98:9898 -> 192\.168\.1\.88:49058 SYN,ACK/);
    expect(run(s, "show conntrack")).toMatch(/SYN_RECV .*\[ASSURED\]|SYN_RECV src=/);
  });

  it("shows the article's state of the packet after each table", () => {
    expect(explain).toContain("→ state after nat OUTPUT: Source IP address: 192.168.1.88, Source Port: 49058, Destination IP address: 10.42.54.194, Destination Port: 9898, Output interface: enp3s0, Mark: 0x4000");
  });
});
