/**
 * -j MARK: set bits of the packet's (skb) mark.
 *
 * Why: KUBE-MARK-MASQ sets 0x4000 so KUBE-POSTROUTING masquerades later; Calico clears 0xf0000.
 * iptables-save always prints revision 2's `--set-xmark value/mask`, whatever was typed.
 * Linux: xt_mark.c mark_tg: mark = (mark & ~mask) ^ value.
 */
import type { TargetModule, BuildCtx, OptionUse } from "../types.js";
import { hex, parseValueMask, uniqueUses } from "../util.js";

export interface XMark {
  value: number;
  mask: number;
}

export const MARK_OPTIONS = [
  { name: "set-xmark", help: "value[/mask]: zero mask bits, then XOR value" },
  { name: "set-mark", help: "value[/mask]: zero mask bits, then OR value" },
  { name: "and-mark", help: "bits: AND" },
  { name: "or-mark", help: "bits: OR" },
  { name: "xor-mark", help: "bits: XOR" },
];

/** Translate any of the five spellings into (value, mask) as libxt_MARK does. */
export function buildXMark(uses: Parameters<TargetModule<XMark>["build"]>[0], ctx: Parameters<TargetModule<XMark>["build"]>[1], what: string): XMark {
  const m = uniqueUses(uses, ctx);
  if (m.size !== 1) ctx.reject(`${what}: exactly one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark is required`);
  const u = [...m.values()][0]!;
  const { value, mask } = parseValueMask(u, ctx);
  switch (u.name) {
    case "set-xmark":
      return { value, mask };
    case "set-mark":
      return { value, mask: (mask | value) >>> 0 };
    case "and-mark":
      return { value: 0, mask: ~value >>> 0 };
    case "or-mark":
      return { value, mask: value };
    default:
      return { value, mask: 0 };
  }
}

/** libxt_MARK mark_tg_print / libxt_CONNMARK: the operation the (value, mask) pair amounts to. */
export function listXMark(x: XMark): string {
  if (x.value === 0) return `and ${hex(~x.mask)}`;
  if (x.value === x.mask) return `or ${hex(x.value)}`;
  if (x.mask === 0) return `xor ${hex(x.value)}`;
  if (x.mask === 0xffffffff) return `set ${hex(x.value)}`;
  return `xset ${hex(x.value)}/${hex(x.mask)}`;
}

export const applyXMark = (old: number, x: XMark) => (((old & ~x.mask) ^ x.value) >>> 0);

const MARK: TargetModule<XMark> = {
  kind: "target",
  name: "MARK",
  help: "--set-xmark v/m | --set-mark v[/m] | --and-mark | --or-mark | --xor-mark",
  options: MARK_OPTIONS,
  build: (uses: OptionUse[], ctx: BuildCtx) => buildXMark(uses, ctx, "MARK"),
  save: (x) => `--set-xmark ${hex(x.value)}/${hex(x.mask)}`,
  list: (x) => `MARK ${listXMark(x)}`,
  apply(x, env) {
    env.pkt.mark = applyXMark(env.pkt.mark, x);
    return "continue";
  },
};
export default MARK;
