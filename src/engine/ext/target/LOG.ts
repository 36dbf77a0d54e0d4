/**
 * -j LOG: write a kernel log line and continue.
 *
 * Why: the classic way to see a packet; ktrace emits the line as a `log` event in the
 * kernel's words (log-line.ts). Linux: xt_LOG.c, nf_log_syslog.c.
 */
import type { TargetModule, BuildCtx, OptionUse } from "../types.js";
import { saveString } from "../../parse/tokenize.js";
import { arg, uintArg, uniqueUses } from "../util.js";
import { logLine } from "./log-line.js";

interface LogData {
  prefix?: string;
  level: number;
  flags: string[];
}

const LEVELS = ["emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"];
const FLAGS = ["log-tcp-sequence", "log-tcp-options", "log-ip-options", "log-uid", "log-macdecode"];

/** Linux: XT_LOG_TCPSEQ, XT_LOG_TCPOPT, XT_LOG_IPOPT, XT_LOG_UID, XT_LOG_MACDECODE. */
const LOG_FLAG_BITS: Record<string, number> = {
  "log-tcp-sequence": 0x01, "log-tcp-options": 0x02, "log-ip-options": 0x04, "log-uid": 0x08, "log-macdecode": 0x20,
};

const LOG: TargetModule<LogData> = {
  kind: "target",
  name: "LOG",
  help: '[--log-prefix "text"] [--log-level N] [--log-tcp-sequence] [--log-tcp-options] [--log-ip-options] [--log-uid]',
  options: [{ name: "log-prefix" }, { name: "log-level" }, ...FLAGS.map((name) => ({ name, args: 0 }))],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const p = m.get("log-prefix");
    const l = m.get("log-level");
    let level = 4;
    if (l) {
      const t = arg(l, ctx);
      const named = LEVELS.indexOf(t);
      if (named < 0 && !/^[0-7]$/.test(t)) ctx.fail(l.argTokens[0] ?? l.token, `log level "${t}" unknown`);
      level = named >= 0 ? named : uintArg(l, ctx, 7);
    }
    if (p && p.args[0] === "") ctx.fail(p.argTokens[0] ?? p.token, "Argument must have a minimum length of 1 characters");
    // iptables keeps the first 29 characters of a longer prefix (measured)
    const prefix = p ? arg(p, ctx).slice(0, 29) : undefined;
    return { prefix, level, flags: FLAGS.filter((f) => m.has(f)) };
  },
  save(d) {
    const p: string[] = [];
    if (d.prefix !== undefined) p.push(`--log-prefix ${saveString(d.prefix)}`);
    if (d.level !== 4) p.push(`--log-level ${d.level}`);
    for (const f of d.flags) p.push(`--${f}`);
    return p.join(" ");
  },
  // libxt_LOG print: the flags as the kernel's bit mask, the prefix raw in quotes
  list(d) {
    const flags = d.flags.reduce((a, f) => a | LOG_FLAG_BITS[f]!, 0);
    return `LOG flags ${flags} level ${d.level}${d.prefix !== undefined ? ` prefix "${d.prefix}"` : ""}`;
  },
  apply(d, env) {
    const line = logLine(env.pkt, env.inIf, env.outIf, {
      prefix: d.prefix ?? "",
      tcpSequence: d.flags.includes("log-tcp-sequence"),
      uid: d.flags.includes("log-uid"),
      macDecode: d.flags.includes("log-macdecode"),
    });
    env.log("LOG", line);
    return "continue";
  },
};
export default LOG;
