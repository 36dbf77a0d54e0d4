/**
 * Netfilter hooks and the order tables run in each, as data.
 *
 * Why: the path of a packet is the kernel's hook order sorted by priority; keeping it as a table
 * (rather than code) lets `show path` draw it and lets tests assert it.
 *
 *   incoming                                                                 outgoing
 *   --> PREROUTING --> [routing] --> FORWARD --------------------> POSTROUTING -->
 *       raw -300            |          mangle -150                  mangle -150
 *       conntrack -200      |          filter 0                     nat 100 (SNAT)
 *       mangle -150         |          security 50                  conntrack confirm
 *       nat -100 (DNAT)     v
 *                         INPUT                      OUTPUT  <-- [routing] <-- local process
 *                          mangle -150                raw -300
 *                          filter 0                   conntrack -200
 *                          security 50                mangle -150 (reroute)
 *                          nat 100 (SNAT)             nat -100 (DNAT, reroute)
 *                          conntrack confirm          filter 0
 *                          --> local socket           security 50  --> [routing] --> POSTROUTING
 */
import type { TableName } from "../model/ruleset.js";

export const HOOKS = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"] as const;
export type Hook = (typeof HOOKS)[number];

export interface HookStage {
  kind: "table" | "conntrack" | "confirm";
  table?: TableName;
  priority: number;
  name: string;
}

/** Linux: enum nf_ip_hook_priorities (include/uapi/linux/netfilter_ipv4.h). */
export const PRIORITY = {
  raw: -300,
  conntrack: -200,
  mangle: -150,
  natDst: -100,
  filter: 0,
  security: 50,
  natSrc: 100,
  confirm: 0x7fffffff,
} as const;

const t = (table: TableName, priority: number): HookStage => ({ kind: "table", table, priority, name: table });
const ct: HookStage = { kind: "conntrack", priority: PRIORITY.conntrack, name: "conntrack" };
const confirm: HookStage = { kind: "confirm", priority: PRIORITY.confirm, name: "conntrack confirm" };

export const HOOK_STAGES: Record<Hook, HookStage[]> = {
  PREROUTING: [t("raw", PRIORITY.raw), ct, t("mangle", PRIORITY.mangle), t("nat", PRIORITY.natDst)],
  INPUT: [t("mangle", PRIORITY.mangle), t("filter", PRIORITY.filter), t("security", PRIORITY.security), t("nat", PRIORITY.natSrc), confirm],
  FORWARD: [t("mangle", PRIORITY.mangle), t("filter", PRIORITY.filter), t("security", PRIORITY.security)],
  OUTPUT: [t("raw", PRIORITY.raw), ct, t("mangle", PRIORITY.mangle), t("nat", PRIORITY.natDst), t("filter", PRIORITY.filter), t("security", PRIORITY.security)],
  POSTROUTING: [t("mangle", PRIORITY.mangle), t("nat", PRIORITY.natSrc), confirm],
};

/** The hooks a packet meets, by where it starts and where routing sends it. */
export const PATHS = {
  local: ["OUTPUT", "POSTROUTING"] as Hook[],
  input: ["PREROUTING", "INPUT"] as Hook[],
  forward: ["PREROUTING", "FORWARD", "POSTROUTING"] as Hook[],
};
