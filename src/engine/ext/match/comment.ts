/**
 * -m comment: text attached to a rule; matches every packet.
 *
 * Why: kube-proxy and Calico explain themselves in comments ("podinfo/frontend-podinfo:http
 * cluster IP", "cali:tVnHkvAo15HuiPy0"); ktrace decodes chain names from them.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { saveString } from "../../parse/tokenize.js";
import { arg, uniqueUses } from "../util.js";

const comment: MatchModule<{ text: string }> = {
  kind: "match",
  name: "comment",
  help: "a comment; always matches",
  options: [{ name: "comment", help: "text (up to 255 characters)" }],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const u = uniqueUses(uses, ctx).get("comment");
    if (!u) ctx.reject("comment: --comment is required");
    // iptables keeps the first 255 bytes of a longer comment (measured)
    return { text: arg(u, ctx).slice(0, 255) };
  },
  save: (d) => `--comment ${saveString(d.text)}`,
  list: (d) => `/* ${d.text} */`, // printed raw, no escaping (measured)
  exactKey: () => ({}),
  test: () => null,
};
export default comment;
