/**
 * `sysctl`: read or set the node's kernel settings that change a packet's walk — forwarding,
 * rp_filter, ICMP rate limits, and conntrack's TCP knobs and timeouts.
 *
 * Why: several lessons turn on one setting (nf_conntrack_tcp_be_liberal makes kubernetes #74839
 * go away; a short UDP timeout makes a flow NEW again). A learner changes it here as they would
 * with `sysctl -w` on the node, and the next packet sees it. Only the session's copy of the node
 * changes, never the host, even in live mode.
 */
import type { Command } from "../command.js";
import type { Session } from "../session.js";
import { CommandError } from "../words.js";
import { KNOWN_SYSCTLS } from "../../sources/scenario-node.js";
import { sysctlOf } from "../../engine/model/sysctls.js";
import { didYouMean } from "../../engine/parse/errors.js";
import { prefixFilter } from "../complete.js";

function knownNames(s: Session): string[] {
  return [...KNOWN_SYSCTLS, ...s.engine.node.interfaces.map((i) => `net.ipv4.conf.${i.name}.rp_filter`)];
}

function valueOf(s: Session, name: string): { value: string; set: boolean } {
  return { value: sysctlOf(s.engine.node, name), set: s.engine.node.sysctl[name] !== undefined };
}

/** Sets a sysctl on the session's node (a copy: the loaded source's node object is never changed). */
function setSysctl(s: Session, name: string, value: string): void {
  const node = { ...s.engine.node, sysctl: { ...s.engine.node.sysctl, [name]: value } };
  s.source = { ...s.source, node };
  s.engine.node = node;
}

export const sysctl: Command = {
  name: "sysctl",
  maxArgs: 2,
  usage: "sysctl [-w] [NAME[=VALUE]]",
  summary: "show or set the node's kernel settings the walk reads (forwarding, rp_filter, conntrack's TCP knobs and timeouts)",
  examples: ["sysctl", "sysctl net.netfilter.nf_conntrack_tcp_be_liberal", "sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1", "sysctl net.netfilter.nf_conntrack_udp_timeout=2"],
  details: "Without a name: every setting the walk reads, with its value (\"default\" when the node does not set it). NAME=VALUE changes it for the following packets, as `sysctl -w` would on the node; conntrack entries already made keep what they had. Only ktrace's copy of the node changes, never the host.",
  run(s, args) {
    const words = args[0]?.text === "-w" ? args.slice(1) : args;
    const w = words[0];
    if (!w) {
      const rows = knownNames(s).map((n) => {
        const v = valueOf(s, n);
        return [n, v.value, v.set ? "" : "default"];
      });
      return {
        text: rows.map(([n, v, d]) => `${n} = ${v}${d ? `  (${d})` : ""}`).join("\n"),
        display: [{ kind: "table", title: "kernel settings the walk reads", columns: ["sysctl", "value", ""], rows }],
      };
    }
    if (words.length > 1) throw new CommandError(`unexpected "${words[1]!.text}"`, words[1]!.col, "one setting at a time: sysctl NAME=VALUE");
    const eq = w.text.indexOf("=");
    const name = eq < 0 ? w.text : w.text.slice(0, eq);
    const known = knownNames(s);
    if (!known.includes(name)) {
      const near = didYouMean(name, known);
      throw new CommandError(`ktrace does not model the sysctl "${name}"`, w.col, near ? `did you mean ${near}?` : "sysctl with no name lists the ones the walk reads");
    }
    if (eq < 0) return { text: `${name} = ${valueOf(s, name).value}` };
    const value = w.text.slice(eq + 1).trim();
    if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new CommandError(`"${value}" is not a value for ${name}: expected a whole number`, w.col + eq + 1);
    setSysctl(s, name, value);
    return { text: `${name} = ${value}` };
  },
  complete: (s, args, partial) => (args.length <= 1 ? prefixFilter(["-w", ...knownNames(s)], partial) : []),
};
