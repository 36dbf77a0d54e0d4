/**
 * -m set: membership of the packet's addresses/ports in an ipset.
 *
 * Why: Calico keeps its IP pools (cali40all-ipam-pools, cali40masq-ipam-pools) and kube-proxy
 * (ipvs mode) its service IPs in ipsets. Linux: xt_set.c; ipset types in net/netfilter/ipset.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { arg, bang, uniqueUses } from "../util.js";
import { ipsetTest } from "../../model/ipset.js";

interface SetData {
  name: string;
  dirs: ("src" | "dst")[];
  neg: boolean;
  returnNomatch: boolean;
  noCounters: boolean;
  noSubcounters: boolean;
}

const set: MatchModule<SetData> = {
  kind: "match",
  name: "set",
  help: "--match-set NAME src|dst[,src|dst...]",
  options: [
    { name: "match-set", aliases: ["set"], args: 2, negatable: true },
    { name: "return-nomatch", args: 0 },
    { name: "update-counters", args: 0, negatable: true },
    { name: "update-subcounters", args: 0, negatable: true },
  ],
  setsUsed: (d) => [d.name],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const u = m.get("match-set");
    if (!u) ctx.reject("set: --match-set is required");
    const name = arg(u, ctx, 0);
    const dirs = arg(u, ctx, 1).split(",");
    if (dirs.some((x) => x !== "src" && x !== "dst") || dirs.length > 6) ctx.fail(u.argTokens[1] ?? u.token, `You must specify (the comma separated list of) 'src' or 'dst'`);
    return {
      name,
      dirs: dirs as ("src" | "dst")[],
      neg: u.negated,
      returnNomatch: m.has("return-nomatch"),
      noCounters: m.get("update-counters")?.negated ?? false,
      noSubcounters: m.get("update-subcounters")?.negated ?? false,
    };
  },
  save(d) {
    let s = `${bang(d.neg)}--match-set ${d.name} ${d.dirs.join(",")}`;
    if (d.returnNomatch) s += " --return-nomatch";
    if (d.noCounters) s += " ! --update-counters";
    if (d.noSubcounters) s += " ! --update-subcounters";
    return s;
  },
  list(d) {
    let s = `${bang(d.neg)}match-set ${d.name} ${d.dirs.join(",")}`;
    if (d.returnNomatch) s += " return-nomatch";
    if (d.noCounters) s += " ! update-counters";
    if (d.noSubcounters) s += " ! update-subcounters";
    return s;
  },
  test(d, { pkt, node }) {
    const s = node.ipsets.get(d.name);
    const r = s ? ipsetTest(node, s, pkt, d.dirs) : { hit: false, member: undefined };
    if (r.hit !== d.neg) return null;
    return {
      clause: `${bang(d.neg)}--match-set ${d.name} ${d.dirs.join(",")}`,
      why: !s ? `no ipset named ${d.name}` : r.hit ? `member ${r.member}` : `not a member`,
    };
  },
};
export default set;
