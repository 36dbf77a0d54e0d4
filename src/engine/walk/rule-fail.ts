/**
 * Why a rule missed, kept as the values that decided it and put into words only when read.
 *
 * Why: a packet to the last of 10,000 Services misses 9,999 KUBE-SERVICES rules; the kernel
 * never says why, and most walks (stats, the trace, json for a script) never read it. Building
 * "-d 10.96.0.1/32 — dst is 10.96.0.9" for each miss made every such packet cost milliseconds.
 * These objects read like `{ clause, why }` (getters, and JSON as that), so explain, the
 * stepper and the notebook table read them as before.
 */
import type { Rule } from "../model/ruleset.js";
import type { MatchFail } from "../ext/types.js";
import { formatCidr, formatIp } from "../model/ipv4.js";
import { protocolName } from "../parse/protocols.js";

const bang = (n: boolean) => (n ? "! " : "");

abstract class LazyFail implements MatchFail {
  abstract get clause(): string;
  abstract get why(): string;
  /** The option that failed, without its value ("-d", "-m tcp --dport"), cheap to read. */
  abstract get option(): string;
  toJSON(): MatchFail {
    return { clause: this.clause, why: this.why };
  }
}

/** The option a failure names, without its value: "-d", "-p", "-m tcp --dport". */
export function failedOption(f: MatchFail): string {
  if (f instanceof LazyFail) return f.option;
  return f.clause.replace(/^! /, "").split(" ")[0] ?? f.clause;
}

/** `-s`/`-d`: the rule's network and the packet's address when it was tested. */
export class AddressFail extends LazyFail {
  constructor(private readonly rule: Rule, private readonly side: "src" | "dst", private readonly addr: number) {
    super();
  }
  get option() {
    return this.side === "src" ? "-s" : "-d";
  }
  get clause() {
    const c = this.rule[this.side]!;
    return `${bang(c.negated)}${this.option} ${formatCidr(c.value)}`;
  }
  get why() {
    return `${this.side} is ${formatIp(this.addr)}`;
  }
}

/** `-i`/`-o`: the rule's interface and the packet's, if it had one yet. */
export class InterfaceFail extends LazyFail {
  constructor(private readonly rule: Rule, private readonly side: "iif" | "oif", private readonly iface: string | undefined) {
    super();
  }
  get option() {
    return this.side === "iif" ? "-i" : "-o";
  }
  get clause() {
    const c = this.rule[this.side]!;
    return `${bang(c.negated)}${this.option} ${c.value}`;
  }
  get why() {
    if (this.side === "iif") return this.iface ? `in-interface is ${this.iface}` : "no input interface (locally generated)";
    return this.iface ? `out-interface is ${this.iface}` : "no output interface yet (before routing)";
  }
}

/** `-p`: the rule's protocol and the packet's. */
export class ProtocolFail extends LazyFail {
  constructor(private readonly rule: Rule, private readonly proto: string) {
    super();
  }
  get option() {
    return "-p";
  }
  get clause() {
    const c = this.rule.proto!;
    return `${bang(c.negated)}-p ${protocolName(c.value)}`;
  }
  get why() {
    return `protocol is ${this.proto}`;
  }
}

/** A match extension's failure, its clause prefixed with `-m NAME` as iptables-save writes it. */
export class ModuleFail extends LazyFail {
  constructor(private readonly module: string, private readonly inner: MatchFail) {
    super();
  }
  get option() {
    const opt = this.inner.clause.split(" ").find((w) => w.startsWith("--"));
    return opt ? `-m ${this.module} ${opt}` : `-m ${this.module}`;
  }
  get clause() {
    const m = `-m ${this.module}`;
    return `${m} ${this.inner.clause}`.replace(`${m} ${m}`, m);
  }
  get why() {
    return this.inner.why;
  }
}
