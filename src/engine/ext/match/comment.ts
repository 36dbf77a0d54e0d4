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
    const text = arg(u, ctx);
    if (text.length > 255) ctx.fail(u.argTokens[0] ?? u.token, "comment may not exceed 255 characters");
    return { text };
  },
  save: (d) => `--comment ${saveString(d.text)}`,
  test: () => null,
};
export default comment;
