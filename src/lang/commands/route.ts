/**
 * `route get DST [from SRC] [iif IFACE] [mark M]`: the routing decision, as `ip route get` answers it.
 *
 * Why: after DNAT the packet is routed again; a learner asks the node's routing the same question
 * the kernel asked, with the same words `ip route get` takes.
 */
import type { Command } from "../command.js";
import { CommandError } from "../words.js";
import { parseIp } from "../../engine/model/ipv4.js";
import { routeLookup } from "../../engine/route/lookup.js";
import { describeRoute } from "../../format/route-line.js";
import { completeAddress, completeInterface } from "../complete.js";
import { routeTable } from "../../format/rich/displays.js";

export const route: Command = {
  name: "route",
  usage: "route get DST [from SRC] [iif IFACE] [mark M]",
  summary: "the routing decision, as `ip route get` answers it",
  examples: ["route get 10.42.54.194", "route get 192.168.1.88 from 192.168.1.20 iif enp3s0"],
  run(s, args) {
    if (args[0]?.text !== "get") throw new CommandError(`expected "route get DST"`, args[0]?.col ?? 1);
    const dst = args[1] && parseIp(args[1].text);
    if (dst === undefined) throw new CommandError(`bad destination "${args[1]?.text ?? ""}"`, args[1]?.col);
    const q: { dst: number; src?: number; iif?: string; mark: number } = { dst, mark: 0 };
    for (let i = 2; i < args.length; i += 2) {
      const k = args[i]!;
      const v = args[i + 1];
      if (!v) throw new CommandError(`"${k.text}" needs a value`, k.col);
      if (k.text === "from") {
        const ip = parseIp(v.text);
        if (ip === undefined) throw new CommandError(`bad address "${v.text}"`, v.col);
        q.src = ip;
      } else if (k.text === "iif") q.iif = v.text;
      else if (k.text === "mark") q.mark = Number(v.text);
      else throw new CommandError(`unknown option "${k.text}"`, k.col, "from SRC, iif IFACE, mark M");
    }
    const result = routeLookup(s.engine.node, q);
    const text = describeRoute(q, result);
    return { text, display: [routeTable(q, result, text)] };
  },
  complete: (s, args, partial) => (args.length === 0 ? ["get"] : args.length === 1 ? completeAddress(s, partial) : args[args.length - 1]?.text === "iif" ? completeInterface(s, partial) : ["from", "iif", "mark"]),
};
