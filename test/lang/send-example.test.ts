// The packet ktrace suggests when none was sent yet fits the loaded node: the scenario's own hint,
// else the first Service of kube-proxy's KUBE-SERVICES sent from the node (as the article's curl),
// else a client on the node's LAN connecting to it. Each suggestion must run as typed.
import { describe, expect, it } from "vitest";
import { Session } from "../../src/lang/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import { sendExample } from "../../src/lang/send-example.js";
import { loadCanned, type LoadedSource } from "../../src/sources/load.js";
import { parseRuleset } from "../../src/engine/parse/ruleset-parser.js";
import { articleSession, noIo } from "../helpers/session.js";

/** A rules file on the article's node, as `--rules` loads it: no hint of its own. */
function rulesFile(rules: string): Session {
  const { hint: _hint, ...base } = loadCanned("article");
  const src: LoadedSource = { ...base, kind: "rules", name: "test", title: "test rules", ruleset: parseRuleset(rules, { file: "test.rules" }) };
  return new Session(src, noIo, 1);
}

const SERVICES = [
  "*nat",
  ":OUTPUT ACCEPT [0:0]",
  ":KUBE-SERVICES - [0:0]",
  "-A OUTPUT -j KUBE-SERVICES",
  '-A KUBE-SERVICES -m comment --comment "a rule with no destination comes first" -m addrtype --dst-type LOCAL -j RETURN',
  '-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j DNAT --to-destination 10.42.0.5:53',
  '-A KUBE-SERVICES -d 10.96.0.20/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j DNAT --to-destination 10.42.0.6:8080',
  "COMMIT",
  "",
].join("\n");

describe("sendExample", () => {
  it("is the scenario's hint when it has one (the article's curl)", () => {
    expect(sendExample(articleSession())).toBe("send tcp 192.168.1.88:49058 -> 10.43.156.98:9898");
  });

  it("on a Kubernetes node: the first Service in KUBE-SERVICES, from the node's address, and it reaches the DNAT", () => {
    const s = rulesFile(SERVICES);
    const example = sendExample(s);
    expect(example).toBe("send udp 192.168.1.88:40000 -> 10.96.0.10:53");
    const r = runLine(s, example);
    expect(r.error).toBeUndefined();
    expect(r.text).toContain("DNAT");
    expect(r.text).toContain("10.42.0.5:53");
  });

  it("follows an edit of KUBE-SERVICES", () => {
    const s = rulesFile(SERVICES);
    expect(sendExample(s)).toBe("send udp 192.168.1.88:40000 -> 10.96.0.10:53");
    expect(runLine(s, "iptables -t nat -D KUBE-SERVICES 2").error).toBeUndefined();
    expect(sendExample(s)).toBe("send tcp 192.168.1.88:40000 -> 10.96.0.20:80");
  });

  it("on a node with only host addresses (a cloud node's /32): the Service from that address", () => {
    const s = rulesFile(SERVICES);
    for (const iface of s.engine.node.interfaces) for (const a of iface.addrs) if (iface.name === "enp3s0") a.prefix = 32;
    expect(sendExample(s)).toBe("send udp 192.168.1.88:40000 -> 10.96.0.10:53");
  });

  it("with no Services: a client on the node's LAN connecting to the node", () => {
    const s = rulesFile("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n");
    const example = sendExample(s);
    expect(example).toBe("send tcp 192.168.1.20:40000 -> 192.168.1.88:22 in enp3s0");
    const r = runLine(s, example);
    expect(r.error).toBeUndefined();
    expect(r.text).toContain("FATE: delivered");
  });

  it("is what no-packet answers suggest", () => {
    const s = rulesFile(SERVICES);
    const example = "send udp 192.168.1.88:40000 -> 10.96.0.10:53";
    expect(runLine(s, "show state").text).toBe(`no packet yet — try: ${example}`);
    for (const line of ["step", "reply", "explain misses"]) expect(runLine(s, line).hint).toContain(example);
  });
});
