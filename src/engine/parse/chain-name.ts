/**
 * The names iptables refuses for a user chain, and its words for each refusal — one check for
 * iptables-restore's ":NAME" and "-N NAME" lines and for the `iptables -N` command.
 *
 * Measured with iptables v1.8.9 (nf_tables), restore and -N alike: a name starting with "-" or
 * "!" ("chain name not allowed to start with `!'"), one of 29 characters or more, one that is a
 * target's name (ACCEPT, DROP, RETURN, QUEUE or an extension such as DNAT) are refused; "123"
 * and "a-b" are fine.
 */
import { TARGETS } from "../ext/registry.js";

export function chainNameProblem(name: string): string | undefined {
  if (name.length > 28) return `chain name \`${name}' too long (must be under 29 chars)`;
  if (name.startsWith("-") || name.startsWith("!")) return `chain name not allowed to start with \`${name[0]}'`;
  if (TARGETS.has(name) || ["ACCEPT", "DROP", "RETURN", "QUEUE"].includes(name)) return "chain name may not clash with target name";
  return undefined;
}
