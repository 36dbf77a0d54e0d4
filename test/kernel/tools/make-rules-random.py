#!/usr/bin/env python3
"""Writes a scenario of seeded random rulesets on the router: random rules in raw, mangle, nat and
filter (addresses, interfaces, ports, tcp flags, multiport, iprange, addrtype, length, ttl, mark,
connmark, conntrack and state matches; MARK, CONNMARK, jumps, gotos, RETURN, DNAT, REDIRECT, SNAT
and MASQUERADE), and connections through it: forwarded, to the router, and from the router.

Why: hand-written scenarios test what their author thought of. Random rules meet in orders nobody
writes on purpose (a mark set in raw and matched in nat, a goto out of a chain a jump entered, a
DNAT that a later rule's --ctorigdst sees), and the kernel is the oracle for all of them.

Every flow must complete, so that `reply` and the final ACK are packets the kernel also sees: the
rules never drop or reject, NAT only ever sends a connection to a listener, and nothing is untracked.
Each flow's conntrack entry (mark, status, tuples) is compared after its last packet.

With --drops, the rules also DROP and REJECT (every --reject-with), and base chains get DROP
policies; then only each flow's first packet is traced (and whatever answer the node makes for it:
REJECT's reset or ICMP error), since a dropped connection has no reply to compare.

    python3 test/kernel/tools/make-rules-random.py SEED OUT.json [--drops]
"""
import json, random, sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
drops = "--drops" in sys.argv
seed = int(args[0]) if args else 1
out = args[1] if len(args) > 1 else f"/tmp/rules-random-{seed}.json"
rnd = random.Random(seed)
pick = rnd.choice

HOOKS = {
    "raw": ["PREROUTING", "OUTPUT"],
    "mangle": ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
    "nat": ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
    "filter": ["INPUT", "FORWARD", "OUTPUT"],
}
IN_HOOKS = {"PREROUTING", "INPUT", "FORWARD"}
OUT_HOOKS = {"FORWARD", "OUTPUT", "POSTROUTING"}


def mark():
    return pick(["0x1", "0x2", "0x10", "0x11", "0x100", "0x3"])


def mask():
    return pick(["", "/0xff", "/0xf", "/0x1", "/0xf0"])


def address_clause():
    flag = pick(["-s", "-d"])
    net = pick(["10.1.0.0/24", "10.1.0.2/32", "10.1.0.3/32", "10.2.0.0/16", "10.2.0.2/32", "10.2.0.1/32", "10.1.0.1/32", "10.0.0.0/8"])
    return f"{'! ' if rnd.random() < 0.2 else ''}{flag} {net}"


def iface_clause(hook):
    opts = []
    if hook in IN_HOOKS:
        opts.append(f"{'! ' if rnd.random() < 0.2 else ''}-i {pick(['r0', 'r1', 'r+', 'lo'])}")
    if hook in OUT_HOOKS:
        opts.append(f"{'! ' if rnd.random() < 0.2 else ''}-o {pick(['r0', 'r1', 'r+'])}")
    return pick(opts) if opts else None


def proto_clause():
    p = pick(["tcp", "tcp", "udp", "icmp"])
    if p == "tcp":
        m = pick([
            "-m tcp --dport 80", "-m tcp --dport 443", "-m tcp ! --dport 80", "-m tcp --sport 1024:65535",
            "-m tcp --dport 20:100", "-m tcp --tcp-flags SYN,ACK SYN", "-m tcp --syn", "-m tcp ! --syn",
            "-m tcp --tcp-flags SYN,ACK SYN,ACK", "-m tcp --tcp-flags ALL ACK", "",
            "-m multiport --dports 80,443,9898", "-m multiport --ports 22,80", "-m multiport ! --dports 22,8080",
            "-m multiport --sports 80,443", "-m tcp --tcp-option 8", "-m tcp ! --tcp-option 3", "-m tcp --tcp-option 2 --syn",
            "-m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG SYN",
        ])
    elif p == "udp":
        m = pick(["-m udp --dport 53", "-m udp --sport 53", "-m udp --dport 5000:6000", "-m multiport --dports 53,5353", ""])
    else:
        m = pick(["-m icmp --icmp-type 8", "-m icmp --icmp-type echo-reply", "-m icmp ! --icmp-type 8", "",
                  "-m icmp --icmp-type 3/13", "-m icmp --icmp-type destination-unreachable", "-m icmp --icmp-type any"])
    return f"-p {p} {m}".strip()


def addrtype_clause():
    side, kind = pick(["src", "dst"]), pick(["LOCAL", "UNICAST", "BROADCAST", "! LOCAL"])
    return f"-m addrtype ! --{side}-type LOCAL" if kind == "! LOCAL" else f"-m addrtype --{side}-type {kind}"


def module_clause(table, hook):
    c = [
        f"-m pkttype --pkt-type {pick(['unicast', 'broadcast', 'multicast'])}",
        f"-m set --match-set {pick(['rnd-ip', 'rnd-net'])} {pick(['src', 'dst'])}",
        f"-m set ! --match-set {pick(['rnd-ip', 'rnd-net'])} {pick(['src', 'dst'])}",
        f"-m set --match-set rnd-ipport {pick(['dst,dst', 'src,dst', 'dst,src'])}",
        f"-m length ! --length {pick(['0:60', '53:100'])}",
        f"-m mark --mark {mark()}{mask()}",
        f"-m mark ! --mark {mark()}{mask()}",
        f"-m connmark --mark {mark()}{mask()}",
        f"-m length --length {pick(['0:60', '40:52', '60:65535', '53:100', '33'])}",
        f"-m ttl --ttl-{pick(['gt', 'lt', 'eq'])} {pick(['1', '60', '63', '64', '100'])}",
        f"-m iprange --{pick(['src', 'dst'])}-range {pick(['10.1.0.1-10.1.0.3', '10.2.0.2-10.2.0.9', '10.1.0.5-10.2.0.2'])}",
        addrtype_clause(),
        "-m comment --comment \"random rule\"",
    ]
    if table != "raw":
        c += [
            f"-m conntrack --ctstate {pick(['NEW', 'ESTABLISHED', 'RELATED,ESTABLISHED', 'DNAT', 'SNAT', 'NEW,ESTABLISHED', 'INVALID'])}",
            f"-m conntrack ! --ctstate {pick(['NEW', 'ESTABLISHED', 'DNAT'])}",
            f"-m conntrack --ctdir {pick(['ORIGINAL', 'REPLY'])}",
            f"-m conntrack --ctorigdst {pick(['10.2.0.2', '10.2.0.3', '10.1.0.1', '10.2.0.0/24'])}",
            f"-m conntrack --ctstatus {pick(['SEEN_REPLY', 'ASSURED', 'CONFIRMED'])}",
            f"-m state --state {pick(['NEW', 'ESTABLISHED', 'RELATED,ESTABLISHED'])}",
            f"-m conntrack --ctproto {pick(['tcp', 'udp', '1', '6'])}",
            f"-m conntrack --ct{pick(['origsrc', 'replsrc', 'repldst'])} {pick(['10.1.0.2', '10.2.0.2', '10.2.0.1', '10.1.0.0/24'])}",
            f"-m conntrack --ct{pick(['origdstport', 'origsrcport', 'replsrcport'])} {pick(['80', '443', '53', '40000:50000'])}",
        ]
    # matches the kernel allows only from some hooks: base chains of those hooks
    if hook in ("OUTPUT", "POSTROUTING"):
        c.append(f"-m owner {pick(['--uid-owner 0', '! --uid-owner 0', '--gid-owner 0', '--socket-exists'])}")
    if hook in ("PREROUTING", "INPUT", "FORWARD"):
        c.append(f"-m addrtype --dst-type {pick(['LOCAL', 'UNICAST'])} --limit-iface-in")
    return pick(c)


def matches(table, hook):
    parts = []
    for _ in range(rnd.choice([0, 1, 1, 2, 2, 3])):
        k = rnd.random()
        if k < 0.25:
            parts.append(address_clause())
        elif k < 0.4 and hook:
            ic = iface_clause(hook)
            if ic:
                parts.append(ic)
        elif k < 0.65 and not any(p.startswith("-p ") for p in parts):
            parts.append(proto_clause())
        else:
            parts.append(module_clause(table, hook))
    # one of each of -s, -d, -i, -o, -p (iptables refuses two); matches may repeat. The order stays
    # as drawn: the kernel's trace prints a rule in its own order, and ktrace must too
    seen, kept = set(), []
    for p in parts:
        flag = p.lstrip("! ").split(" ")[0]
        # -m mark and -m connmark both take --mark: after both are loaded, iptables gives every
        # --mark to the one loaded last, so a rule using both twice is refused (measured)
        if flag == "-m" and p.split(" ")[1] in ("mark", "connmark"):
            flag = "mark"
        if flag in ("-s", "-d", "-i", "-o", "-p", "mark"):
            if flag in seen:
                continue
            seen.add(flag)
        kept.append(p)
    return " ".join(kept)


def service_nat(hook):
    """The nat rules every flow to a made-up address or port needs, first in their chain (a
    random rule before them could RETURN the connection away from its listener)."""
    if hook == "PREROUTING":
        return [
            "-d 10.2.0.2/32 -p tcp -m tcp --dport 443 -j DNAT --to-destination " + pick(["10.2.0.3:80", "10.2.0.2:9898"]),
            "-d 10.2.0.9/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.2.0.2",
            "-d 10.2.0.2/32 -p tcp -m tcp --dport 9999 -j REDIRECT --to-ports 8080",
            "-d 10.2.0.9/32 -p udp -m udp --dport 53 -j DNAT --to-destination 10.2.0.2",
        ]
    if hook == "OUTPUT":
        return ["-d 10.2.0.9/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.2.0.2:80"]
    return []


def source_nat():
    return pick([
        "-o r1 -j MASQUERADE",
        "-s 10.1.0.0/24 -o r1 -j SNAT --to-source 10.2.0.1",
        # a range holding every flow's source port: the kernel keeps a port already in range (a
        # port it must choose is random: nothing to compare)
        "-o r1 -p tcp -j MASQUERADE --to-ports 41000-49999",
        "-s 10.1.0.3/32 -o r1 -j SNAT --to-source 10.2.0.1",
        "-s 10.1.0.7/32 -o r1 -p udp -j MASQUERADE",
    ])


def target(table, hook, chains):
    r = rnd.random()
    if r < 0.25 and chains:
        return pick(["-j", "-j", "-g"]) + " " + pick(chains)
    if r < 0.35:
        return pick(["-j ACCEPT", "-j RETURN"])
    if r < 0.4:
        return pick(["-j LOG --log-prefix \"rnd \"", "-j NFLOG --nflog-group 7", "-j LOG"] + (["-j CHECKSUM --checksum-fill"] if table == "mangle" else []))
    if r < 0.7:
        return pick([
            f"-j MARK --set-xmark {mark()}/0xffffffff", f"-j MARK --or-mark {mark()}", f"-j MARK --and-mark 0x{rnd.choice(['f', 'ff', '10', '1'])}",
            f"-j MARK --set-mark {mark()}{mask()}", f"-j MARK --xor-mark {mark()}",
        ])
    if r < 0.85 and table != "raw":
        return pick([
            "-j CONNMARK --save-mark", "-j CONNMARK --restore-mark", f"-j CONNMARK --set-mark {mark()}{mask()}",
            f"-j CONNMARK --set-xmark {mark()}/0xff", "-j CONNMARK --save-mark --nfmask 0xf --ctmask 0xf0",
            "-j CONNMARK --restore-mark --mask 0xff",
        ])
    if drops and table == "filter" and r < 0.95:
        return pick(["-j DROP", "-j REJECT", "-j REJECT --reject-with tcp-reset", "-j REJECT --reject-with icmp-host-unreachable",
                     "-j REJECT --reject-with icmp-net-prohibited", "-j REJECT --reject-with icmp-admin-prohibited",
                     "-j REJECT --reject-with icmp-proto-unreachable", "-j REJECT --reject-with icmp-net-unreachable",
                     "-j REJECT --reject-with icmp-host-prohibited"])
    if drops and table == "raw" and r < 0.9:
        return pick(["-j DROP", "-j CT --notrack", "-j NOTRACK", "-j CT --zone 1"])
    if drops and table != "filter" and r < 0.9:
        return "-j DROP"
    return ""  # no target: counts only


def rule_line(chain, m, t):
    # the kernel refuses a tcp reset for a rule not sure of TCP (iptables-restore --test does not
    # ask the kernel, so it would not tell)
    if "tcp-reset" in t and (" -p tcp " not in f" {m} " or " ! -p tcp " in f" {m} "):
        t = "-j REJECT"
    return f"-A {chain} {m} {t}".replace("  ", " ").strip()


def user_chain_names(table):
    return [f"RND-{table.upper()}-{i}" for i in range(rnd.choice([0, 1, 2, 3]))]


def table_rules(table):
    chains = user_chain_names(table)
    policy = lambda h: "DROP" if drops and table in ("mangle", "filter") and rnd.random() < 0.15 else "ACCEPT"
    lines = [f"*{table}"] + [f":{h} {policy(h)} [0:0]" for h in HOOKS[table]] + [f":{c} - [0:0]" for c in chains]
    if table == "raw" and drops:
        # first packets, and the node's answers (REJECT's ICMP errors), never the peers' replies
        lines += [
            "-A PREROUTING -s 10.1.0.0/24 -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TRACE",
            "-A PREROUTING -s 10.1.0.0/24 -p udp -j TRACE",
            "-A PREROUTING -s 10.1.0.0/24 -p icmp -m icmp --icmp-type 8 -j TRACE",
            "-A OUTPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TRACE",
            "-A OUTPUT -s 10.2.0.1/32 -p udp -j TRACE",
            # errors about the traced packets only: those go back to the client (not to the node
            # itself: an error about its own answer, a listener's SYN-ACK say), which sends
            # nothing else (its TCP is a hand-made SYN); an error about a peer's untraced reply
            # goes to the peer, one about the node's own packet to the node (not traced either)
            "-A OUTPUT -p icmp -m icmp ! --icmp-type 0 -m iprange --dst-range 10.1.0.2-10.1.0.7 -j TRACE",
        ]
    elif table == "raw":
        lines += [
            "-A PREROUTING -p tcp -m tcp --tcp-flags RST NONE -j TRACE",
            "-A PREROUTING -p udp -j TRACE",
            "-A PREROUTING -p icmp -j TRACE",
            "-A OUTPUT -p tcp -m tcp --tcp-flags RST NONE -j TRACE",
            "-A OUTPUT -p udp -j TRACE",
            "-A OUTPUT -p icmp -j TRACE",
        ]
    # user chains jump only to later ones: no loops
    for i, c in enumerate(chains):
        for _ in range(rnd.randint(1, 4)):
            t = target(table, "", chains[i + 1:]) if table != "nat" else pick(["-j RETURN", "", f"-j MARK --or-mark {mark()}"])
            m = matches(table, "")
            # chains are entered from several hooks: no interface clauses a hook may refuse
            if any(f" {x} " in f" {m} " for x in ("-i", "-o")):
                m = ""
            lines.append(rule_line(c, m, t))
    for h in HOOKS[table]:
        if table == "nat":
            lines += [f"-A {h} {r}" for r in service_nat(h)]
        for _ in range(rnd.randint(0, 4)):
            if table == "nat" and h == "POSTROUTING" and rnd.random() < 0.5:
                lines.append(f"-A {h} {source_nat()}")
                continue
            t = target(table, h, chains) if table != "nat" else pick(["-j RETURN", ""] + ([f"-j {c}" for c in chains] or [""]))
            lines.append(rule_line(h, matches(table, h), t))
    return lines + ["COMMIT"]


rules = []
for table in ["raw", "mangle", "nat", "filter"]:
    rules += table_rules(table)
# a rule of only "-A CHAIN" (no match, no target) is a valid counter rule
rules = [l.rstrip() for l in rules]

FLOWS = [
    # (from, src, dst, proto, dport, iface)
    ("c", "10.1.0.2", "10.2.0.2", "tcp", 80, "r0"),
    ("c", "10.1.0.3", "10.2.0.2", "tcp", 443, "r0"),
    ("c", "10.1.0.7", "10.2.0.9", "tcp", 80, "r0"),
    ("c", "10.1.0.2", "10.2.0.2", "tcp", 9999, "r0"),
    ("c", "10.1.0.2", "10.1.0.1", "tcp", 22, "r0"),
    ("c", "10.1.0.3", "10.2.0.1", "tcp", 8080, "r0"),
    ("c", "10.1.0.2", "10.2.0.2", "udp", 53, "r0"),
    ("c", "10.1.0.7", "10.2.0.9", "udp", 53, "r0"),
    ("c", "10.1.0.2", "10.2.0.2", "icmp", 0, "r0"),
    ("c", "10.1.0.3", "10.1.0.1", "icmp", 0, "r0"),
    ("r", "10.2.0.1", "10.2.0.2", "tcp", 80, None),
    ("r", "10.2.0.1", "10.2.0.9", "tcp", 80, None),
    ("r", "10.2.0.1", "10.2.0.2", "udp", 53, None),
]

cases = []
for k, (frm, src, dst, proto, dport, iface) in enumerate(FLOWS):
    sport = 41000 + seed % 50 * 100 + k if proto != "icmp" else 100 + k
    into = f" in {iface}" if iface else ""
    if drops and proto == "tcp" and frm == "c":
        # one hand-made SYN: the client's stack (its TCP input dropped) answers nothing
        cmds = None
    elif drops:
        cmds = [f"send {proto} {src}{'' if proto == 'icmp' else f':{sport}'} -> {dst}{'' if proto == 'icmp' else f':{dport}'}{into}"]
    elif proto == "tcp":
        # the lab's client closes with a reset (not traced: the TRACE rules want RST clear), which
        # conntrack sees: ktrace sends it too, so the entries compare
        cmds = [f"send tcp {src}:{sport} -> {dst}:{dport}{into}", "reply", f"send tcp {src}:{sport} -> {dst}:{dport}{into} flags ACK",
                f"send tcp {src}:{sport} -> {dst}:{dport}{into} flags RST,ACK"]
    elif proto == "udp":
        cmds = [f"send udp {src}:{sport} -> {dst}:{dport}{into}", "reply payload 5"]
    else:
        cmds = [f"send icmp {src} -> {dst}{into}", "reply"]
    step = {"name": f"{proto} {src} -> {dst}{':' + str(dport) if dport else ''}", "from": frm, "proto": proto, "src": src, "sport": sport, "dst": dst}
    if dport:
        step["dport"] = dport
    if iface:
        step["iface"] = iface
    if cmds:
        step["ktrace"] = cmds
    else:
        step["segment"] = {"flags": "SYN", "seq": rnd.randrange(1, 2**31), "win": 64240}
    if not drops:
        step["conntrack"] = True
    cases.append({"name": step["name"], "steps": [step]})

sc = {
    "name": f"random rules (seed {seed}{', with drops' if drops else ''}): raw, mangle, nat and filter rules nobody wrote on purpose, and connections through them",
    "description": (f"Generated by test/kernel/tools/make-rules-random.py {seed} --drops. Rules drop and reject, policies drop: each flow's first packet and the node's answer to it are traced and must match." if drops else
                    f"Generated by test/kernel/tools/make-rules-random.py {seed}. No rule drops or rejects, NAT sends connections only to listeners: every flow completes, and each packet's trace and the flow's conntrack entry must match."),
    "base": "router",
    "ipsets": ["ipset create rnd-ip hash:ip", "ipset add rnd-ip 10.1.0.2", "ipset add rnd-ip 10.2.0.2",
               "ipset create rnd-net hash:net", "ipset add rnd-net 10.1.0.0/30", "ipset add rnd-net 10.2.0.0/24",
               "ipset create rnd-ipport hash:ip,port", "ipset add rnd-ipport 10.2.0.2,tcp:80", "ipset add rnd-ipport 10.2.0.9,udp:53",
               "ipset add rnd-ipport 10.1.0.2,tcp:443"],
    # with drops, an untracked packet (CT --notrack) to the made-up 10.2.0.9 is not DNATed: s
    # holds that address too, or r's failed ARP would send an ICMP error seconds later
    **({"setup": {"c": ["iptables -A INPUT -p tcp -j DROP"], "s": ["ip addr add 10.2.0.9/24 dev s0"]}} if drops else {}),
    "rules": rules,
    "cases": cases,
}
json.dump(sc, open(out, "w"), indent=1)
print(out)
