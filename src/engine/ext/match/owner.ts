/**
 * -m owner: the local socket's user/group (OUTPUT and POSTROUTING only).
 *
 * Why: egress filtering per service account on a node; Istio's init rules use --uid-owner.
 * Linux: xt_owner.c.
 */
import type { MatchModule, BuildCtx, OptionUse } from "../types.js";
import { bang, uniqueUses } from "../util.js";
import type { Hook } from "../../walk/hooks.js";

type IdRange = { id: number; to: number; neg: boolean };
interface OwnerData {
  uid?: IdRange;
  gid?: IdRange;
  socketExists?: { neg: boolean };
}

const fmtRange = (r: IdRange) => (r.id === r.to ? String(r.id) : `${r.id}-${r.to}`);

/** A numeric id, a range a-b, or "root" (ktrace has no passwd database; other names are refused). */
function idRange(u: OptionUse, ctx: BuildCtx): IdRange {
  const t = u.args[0] ?? "";
  if (t === "root") return { id: 0, to: 0, neg: u.negated };
  const m = /^(\d+)(?:-(\d+))?$/.exec(t);
  if (!m) ctx.fail(u.argTokens[0] ?? u.token, `owner: unknown user or group "${t}" (ktrace knows numeric ids and root)`);
  return { id: Number(m[1]), to: Number(m[2] ?? m[1]), neg: u.negated };
}

const owner: MatchModule<OwnerData> = {
  kind: "match",
  // xt_owner: only locally generated packets have a socket
  allowedIn: (_d, hook: Hook) => hook === "OUTPUT" || hook === "POSTROUTING",
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
    if (u) d.uid = idRange(u, ctx);
    const g = m.get("gid-owner");
    if (g) d.gid = idRange(g, ctx);
    const s = m.get("socket-exists");
    if (s) d.socketExists = { neg: s.negated };
    if (!u && !g && !s) ctx.reject("owner: one of --uid-owner, --gid-owner, --socket-exists is required");
    return d;
  },
  save(d) {
    const p: string[] = [];
    if (d.uid) p.push(`${bang(d.uid.neg)}--uid-owner ${fmtRange(d.uid)}`);
    if (d.gid) p.push(`${bang(d.gid.neg)}--gid-owner ${fmtRange(d.gid)}`);
    if (d.socketExists) p.push(`${bang(d.socketExists.neg)}--socket-exists`);
    return p.join(" ");
  },
  // libxt_owner owner_mt_print: socket, then uid, then gid (measured)
  list(d) {
    const p: string[] = [];
    if (d.socketExists) p.push(`${bang(d.socketExists.neg)}owner socket exists`);
    if (d.uid) p.push(`${bang(d.uid.neg)}owner UID match ${fmtRange(d.uid)}`);
    if (d.gid) p.push(`${bang(d.gid.neg)}owner GID match ${fmtRange(d.gid)}`);
    return p.join(" ");
  },
  // Linux owner_mt: no socket matches only options all negated; a socket no process holds (the
  // kernel's own) is a socket, but uid and gid options match it only negated
  test(d, { pkt }) {
    const owned = pkt.uid !== undefined;
    const socket = owned || pkt.kernelSocket === true;
    const none = socket ? "the kernel's own socket, which no process holds" : "no local socket";
    if (d.socketExists && socket === d.socketExists.neg) return { clause: `${bang(d.socketExists.neg)}--socket-exists`, why: socket ? (owned ? "packet has a socket" : "packet has the kernel's own socket") : "no local socket" };
    const inR = (v: number | undefined, r: IdRange) => v !== undefined && v >= r.id && v <= r.to;
    if (d.uid && (owned && inR(pkt.uid, d.uid)) === d.uid.neg) return { clause: `${bang(d.uid.neg)}--uid-owner ${fmtRange(d.uid)}`, why: owned ? `uid is ${pkt.uid}` : none };
    if (d.gid && (owned && inR(pkt.gid, d.gid)) === d.gid.neg) return { clause: `${bang(d.gid.neg)}--gid-owner ${fmtRange(d.gid)}`, why: owned ? `gid is ${pkt.gid}` : none };
    return null;
  },
};
export default owner;
