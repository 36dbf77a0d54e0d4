/**
 * -m tcp: source/destination ports, TCP flags and options.
 *
 * Why: kube-proxy's ClusterIP rules and the article's TRACE rule (`-p tcp -m tcp --dport 9898`)
 * are tcp matches. iptables-save prints them sport, dport, option, flags (libxt_tcp's order).
 * Linux: xt_tcpudp.c tcp_mt — a non-first fragment never matches.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { packetFlagNames } from "../../model/packet.js";
import { arg, bang, uintArg, uniqueUses } from "../util.js";
import { buildPorts, exactPortKey, listPorts, PORT_OPTIONS, savePorts, testPorts, type PortClauses } from "../ports.js";

interface TcpData extends PortClauses {
  option?: { kind: number; neg: boolean };
  flags?: { mask: number; cmp: number; neg: boolean };
}

const FLAG_NAMES: [string, number][] = [
  ["FIN", 0x01], ["SYN", 0x02], ["RST", 0x04], ["PSH", 0x08], ["ACK", 0x10], ["URG", 0x20], ["ALL", 0x3f], ["NONE", 0],
];

export function parseTcpFlags(text: string): number | undefined {
  let v = 0;
  for (const name of text.split(",")) {
    const f = FLAG_NAMES.find(([n]) => n === name.toUpperCase());
    if (!f) return undefined;
    v |= f[1];
  }
  return v;
}

/** Linux/iptables print_tcpf: flag names in FIN..URG order, "NONE" for none. */
export function formatTcpFlags(flags: number): string {
  if (flags === 0) return "NONE";
  const out: string[] = [];
  let rest = flags & 0xff;
  while (rest) {
    const f = FLAG_NAMES.find(([, b]) => (rest & b) !== 0);
    if (!f) {
      // ECE/CWR have no name in iptables' table; print them numerically like iptables does not need to
      out.push(`0x${rest.toString(16)}`);
      break;
    }
    out.push(f[0]);
    rest &= ~f[1];
  }
  return out.join(",");
}

const hex2 = (n: number) => `0x${n.toString(16).toUpperCase().padStart(2, "0")}`;

const tcp: MatchModule<TcpData> = {
  kind: "match",
  name: "tcp",
  help: "TCP ports, flags and options (needs -p tcp)",
  needsProto: [6],
  options: [
    ...PORT_OPTIONS,
    { name: "syn", args: 0, negatable: true, help: "SYN set, ACK/RST/FIN clear" },
    { name: "tcp-flags", args: 2, negatable: true, help: "MASK COMP, e.g. SYN,ACK SYN" },
    { name: "tcp-option", negatable: true, help: "option kind number present" },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const d: TcpData = buildPorts(m, ctx);
    const syn = m.get("syn");
    const fl = m.get("tcp-flags");
    if (syn && fl) ctx.fail(fl.token, "Only one of `--syn' or `--tcp-flags' may be specified");
    if (syn) d.flags = { mask: 0x17, cmp: 0x02, neg: syn.negated };
    if (fl) {
      const mask = parseTcpFlags(arg(fl, ctx, 0));
      const cmp = parseTcpFlags(arg(fl, ctx, 1));
      if (mask === undefined) ctx.fail(fl.argTokens[0] ?? fl.token, `Unknown TCP flag \`${fl.args[0]}'`);
      if (cmp === undefined) ctx.fail(fl.argTokens[1] ?? fl.token, `Unknown TCP flag \`${fl.args[1]}'`);
      d.flags = { mask, cmp, neg: fl.negated };
    }
    const op = m.get("tcp-option");
    if (op) d.option = { kind: uintArg(op, ctx, 255), neg: op.negated };
    return d;
  },
  save(d) {
    const parts = savePorts(d);
    if (d.option) parts.push(`${bang(d.option.neg)}--tcp-option ${d.option.kind}`);
    if (d.flags) parts.push(`${bang(d.flags.neg)}--tcp-flags ${formatTcpFlags(d.flags.mask)} ${formatTcpFlags(d.flags.cmp)}`);
    return parts.join(" ");
  },
  // libxt_tcp tcp_print (numeric): "tcp spt:1 dpts:!3:4 option=!8 flags:0x17/0x02"
  list(d) {
    let s = `tcp${listPorts("spt", d.sport)}${listPorts("dpt", d.dport)}`;
    if (d.option) s += ` option=${d.option.neg ? "!" : ""}${d.option.kind}`;
    if (d.flags) s += ` flags:${d.flags.neg ? "!" : ""}${hex2(d.flags.mask)}/${hex2(d.flags.cmp)}`;
    return s;
  },
  exactKey: (d) => (d.flags || d.option ? undefined : exactPortKey(d)),
  test(d, { pkt }) {
    if (pkt.proto !== "tcp") return { clause: "-m tcp", why: `protocol is ${pkt.proto}` };
    if (pkt.fragOffset) return { clause: "-m tcp", why: "non-first fragment" };
    const ports = testPorts(d, pkt);
    if (ports) return ports;
    if (d.flags && (((pkt.tcpFlags & d.flags.mask) === d.flags.cmp) === d.flags.neg))
      return {
        clause: `${bang(d.flags.neg)}--tcp-flags ${formatTcpFlags(d.flags.mask)} ${formatTcpFlags(d.flags.cmp)}`,
        why: `flags are ${packetFlagNames(pkt.tcpFlags).join(",") || "none"}`,
      };
    if (d.option && pkt.tcpOptions.includes(d.option.kind) === d.option.neg)
      return { clause: `${bang(d.option.neg)}--tcp-option ${d.option.kind}`, why: `options are ${pkt.tcpOptions.join(",") || "none"}` };
    return null;
  },
};
export default tcp;
