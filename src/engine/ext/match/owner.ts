/**
 * -m owner: the local socket's user/group (OUTPUT and POSTROUTING only).
 *
 * Why: egress filtering per service account on a node; Istio's init rules use --uid-owner.
 * Linux: xt_owner.c.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { bang, uintArg, uniqueUses } from "../util.js";

interface OwnerData {
  uid?: { id: number; neg: boolean };
  gid?: { id: number; neg: boolean };
  socketExists?: { neg: boolean };
}

const owner: MatchModule<OwnerData> = {
  kind: "match",
  name: "owner",
  help: "--uid-owner N | --gid-owner N | --socket-exists",
  options: [
    { name: "uid-owner", negatable: true },
    { name: "gid-owner", negatable: true },
    { name: "socket-exists", args: 0, negatable: true },
  ],
  build(uses: OptionUse[], ctx: BuildCtx) {
    const m = uniqueUses(uses, ctx);
    const d: OwnerData = {};
    const u = m.get("uid-owner");
    if (u) d.uid = { id: uintArg(u, ctx), neg: u.negated };
    const g = m.get("gid-owner");
    if (g) d.gid = { id: uintArg(g, ctx), neg: g.negated };
    const s = m.get("socket-exists");
    if (s) d.socketExists = { neg: s.negated };
    if (!u && !g && !s) ctx.reject("owner: one of --uid-owner, --gid-owner, --socket-exists is required");
    return d;
  },
  save(d) {
    const p: string[] = [];
    if (d.uid) p.push(`${bang(d.uid.neg)}--uid-owner ${d.uid.id}`);
    if (d.gid) p.push(`${bang(d.gid.neg)}--gid-owner ${d.gid.id}`);
    if (d.socketExists) p.push(`${bang(d.socketExists.neg)}--socket-exists`);
    return p.join(" ");
  },
  test(d, { pkt }) {
    const local = pkt.uid !== undefined;
    if (d.socketExists && local === d.socketExists.neg) return { clause: "--socket-exists", why: local ? "packet has a socket" : "no local socket" };
    if (d.uid && (local && pkt.uid === d.uid.id) === d.uid.neg) return { clause: `${bang(d.uid.neg)}--uid-owner ${d.uid.id}`, why: local ? `uid is ${pkt.uid}` : "no local socket" };
    if (d.gid && (local && pkt.gid === d.gid.id) === d.gid.neg) return { clause: `${bang(d.gid.neg)}--gid-owner ${d.gid.id}`, why: local ? `gid is ${pkt.gid}` : "no local socket" };
    return null;
  },
};
export default owner;
