/**
 * The kernel settings a packet's walk reads, with the value a fresh Linux node has for each.
 *
 * Why: one place says what an unset sysctl means — the walk reads through it, `sysctl` lists it,
 * scenario files are checked against it — so a default is never written twice.
 */
import { conntrackSysctlDefaults } from "../conntrack/table.js";
import type { NodeModel } from "./node.js";

export const SYSCTL_DEFAULTS: Readonly<Record<string, string>> = {
  "net.ipv4.ip_forward": "0",
  "net.ipv4.conf.all.rp_filter": "0",
  "net.ipv4.conf.all.accept_local": "0",
  "net.ipv4.icmp_ratelimit": "1000",
  "net.ipv4.icmp_ratemask": "6168",
  ...conntrackSysctlDefaults(),
};

/** A sysctl as the node has it, else the kernel's default ("0" for a per-interface one). */
export function sysctlOf(node: NodeModel, name: string): string {
  return (node.sysctl[name] ?? SYSCTL_DEFAULTS[name] ?? "0").trim();
}
