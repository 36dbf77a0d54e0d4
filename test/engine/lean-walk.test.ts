// The lean walk `stats` runs (rule verdicts and the fate only) must decide exactly what the full
// walk decides: the same rules matched with the same verdicts, the same fate, the same packet at
// the end, the same conntrack table afterwards — it only records less.
import { describe, expect, it } from "vitest";
import { articleSession } from "../helpers/session.js";
import { cloneEngine } from "../../src/engine/state.js";
import { walkPacket } from "../../src/engine/walk/packet-walk.js";
import type { TraceEvent } from "../../src/engine/trace/events.js";
import { parsePacketSpec } from "../../src/lang/packet-spec.js";
import { splitWords } from "../../src/lang/words.js";

const PACKETS = [
  "tcp 192.168.1.88:49058 -> 10.43.156.98:9898",
  "tcp 192.168.1.20:51000 -> 10.43.156.98:9898 in enp3s0",
  "tcp 10.42.135.131:40000 -> 10.43.156.98:9898 in cali5c2e8d1a0b7",
  "udp 10.42.135.131:40000 -> 10.43.0.10:53 in cali5c2e8d1a0b7",
  "tcp 192.168.1.20:51000 -> 192.168.1.88:22 in enp3s0",
  "icmp 192.168.1.88 -> 10.42.54.194",
];

const decisions = (events: TraceEvent[]) =>
  events.flatMap((e) => (e.kind === "rule" ? [`${e.table} ${e.chain} ${e.rule.handle} ${JSON.stringify(e.verdict)}`] : e.kind === "fate" ? [JSON.stringify(e.fate)] : []));

describe("lean walk", () => {
  for (const line of PACKETS)
    it(line, () => {
      for (let seed = 1; seed <= 8; seed++) {
        const s = articleSession(seed);
        const pkt = s.packetFromSpec(parsePacketSpec(splitWords(line)), false);
        const full = cloneEngine(s.engine);
        const lean = cloneEngine(s.engine);
        const a = walkPacket(full, pkt, { collectMisses: false });
        const b = walkPacket(lean, pkt, { collectMisses: false, lean: true });
        expect(decisions(b.events)).toEqual(decisions(a.events));
        expect(b.pkt).toEqual(a.pkt);
        expect(b.fate).toEqual(a.fate);
        expect(lean.conntrack.entries.map((e) => [e.orig, e.reply, e.status, e.protoState])).toEqual(full.conntrack.entries.map((e) => [e.orig, e.reply, e.status, e.protoState]));
        // and it records less: no routing, conntrack, NAT or per-table snapshot events
        expect(b.events.some((e) => ["route", "conntrack", "nat", "confirm", "table-done"].includes(e.kind))).toBe(false);
      }
    });
});
