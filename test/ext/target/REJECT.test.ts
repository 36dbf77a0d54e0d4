// -j REJECT vectors (kernel: ipt_REJECT.c reject_tg — drops the packet and answers it: an ICMP
// error through nf_send_unreach (icmp_send: never about an ICMP error, never to a broadcast) or a
// TCP reset through nf_send_reset (never for a reset); reject_tg_check refuses tcp-reset without
// -p tcp; filter table, INPUT/FORWARD/OUTPUT).
import { describe, expect } from "vitest";
import { vectors, type VectorRun } from "../../helpers/ext-vectors.js";
import { formatIp } from "../../../src/engine/model/ipv4.js";

const IN = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";
const UDP_IN = "udp 192.168.1.20:5000 -> 192.168.1.88:53 in enp3s0";

/** What the node sent back: [proto, src, dst, icmp type/code or tcp flags]. */
function answers(r: VectorRun) {
  return r.result.events.flatMap((e) =>
    e.kind === "spawned" ? [[e.pkt.proto, formatIp(e.pkt.src), formatIp(e.pkt.dst), e.pkt.proto === "icmp" ? `${e.pkt.icmpType}/${e.pkt.icmpCode}` : e.pkt.tcpFlags]] : [],
  );
}

describe("-j REJECT", () => {
  vectors([
    { name: "the default: dropped, answered with port-unreachable (3/3)", chain: "INPUT", rule: "-j REJECT", packet: UDP_IN,
      expect: { verdict: "DROP", fate: { kind: "rejected", with: "icmp-port-unreachable", table: "filter", chain: "INPUT" },
        check: (r) => expect(answers(r)).toEqual([["icmp", "192.168.1.88", "192.168.1.20", "3/3"]]) } },
    { name: "icmp-host-prohibited is 3/10", chain: "INPUT", rule: "-j REJECT --reject-with icmp-host-prohibited", packet: UDP_IN,
      expect: { check: (r) => expect(answers(r)).toEqual([["icmp", "192.168.1.88", "192.168.1.20", "3/10"]]) } },
    { name: "icmp-net-unreachable is 3/0", chain: "INPUT", rule: "-j REJECT --reject-with icmp-net-unreachable", packet: UDP_IN,
      expect: { check: (r) => expect(answers(r)).toEqual([["icmp", "192.168.1.88", "192.168.1.20", "3/0"]]) } },
    { name: "icmp-admin-prohibited is 3/13", chain: "INPUT", rule: "-j REJECT --reject-with icmp-admin-prohibited", packet: UDP_IN,
      expect: { check: (r) => expect(answers(r)).toEqual([["icmp", "192.168.1.88", "192.168.1.20", "3/13"]]) } },
    { name: "tcp-reset answers a SYN with RST,ACK from the port it was sent to", chain: "INPUT", rule: "-p tcp -j REJECT --reject-with tcp-reset", packet: IN,
      expect: { verdict: "DROP", fate: { kind: "rejected", with: "tcp-reset" }, check: (r) => {
        const rst = r.result.events.find((e) => e.kind === "spawned");
        expect(rst?.kind === "spawned" && [formatIp(rst.pkt.src), rst.pkt.sport, formatIp(rst.pkt.dst), rst.pkt.dport, rst.pkt.tcpFlags]).toEqual(["192.168.1.88", 22, "192.168.1.20", 5000, 0x14]);
      } } },
    { name: "no reset for a reset", chain: "INPUT", rule: "-p tcp -j REJECT --reject-with tcp-reset", packet: "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0 flags RST",
      expect: { verdict: "DROP", check: (r) => expect(answers(r)).toEqual([]) } },
    { name: "no ICMP error about an ICMP error", chain: "INPUT", rule: "-j REJECT", packet: "icmp 192.168.1.20 -> 192.168.1.88 in enp3s0 type 3 code 3",
      expect: { verdict: "DROP", check: (r) => expect(answers(r)).toEqual([]) } },
    { name: "an echo request is answered with an error", chain: "INPUT", rule: "-j REJECT", packet: "icmp 192.168.1.20 -> 192.168.1.88 in enp3s0 type 8",
      expect: { check: (r) => expect(answers(r)).toEqual([["icmp", "192.168.1.88", "192.168.1.20", "3/3"]]) } },
    {
      name: "no ICMP error to a broadcast",
      chain: "INPUT",
      rule: "-j REJECT",
      packet: "udp 192.168.1.20:5000 -> 192.168.1.255:137 in enp3s0",
      // measured: test/kernel/scenarios/37-reject-broadcast.json (icmp.c __icmp_send: RTCF_BROADCAST)
      expect: { verdict: "DROP", check: (r) => expect(answers(r)).toEqual([]) },
    },
    { name: "in FORWARD: the error comes from the node's address toward the sender", chain: "FORWARD", rule: "-j REJECT", packet: "udp 192.168.1.20:5000 -> 10.42.54.194:53 in enp3s0",
      expect: { fate: { kind: "rejected", chain: "FORWARD" }, check: (r) => expect(answers(r)).toEqual([["icmp", "192.168.1.88", "192.168.1.20", "3/3"]]) } },
    { name: "in OUTPUT: the node's own packet is rejected", chain: "OUTPUT", rule: "-j REJECT", packet: "udp 192.168.1.88:5000 -> 192.168.1.20:53",
      expect: { verdict: "DROP", fate: { kind: "rejected", chain: "OUTPUT" } } },
    { name: "tcp-reset with ! -p tcp is refused", chain: "INPUT", rule: "! -p tcp -j REJECT --reject-with tcp-reset", packet: IN, expect: { loadError: /tcp-reset needs -p tcp/ } },
  ]);
});
