#!/usr/bin/env python3
"""Writes a scenario of a seeded random Kubernetes cluster on the k8s-node topology: Services of
every kind kube-proxy treats differently (ClusterIP, NodePort, LoadBalancer with and without source
ranges, externalIPs, externalTrafficPolicy and internalTrafficPolicy Local, session affinity, TCP
and UDP, one or two ports, no endpoints, terminating and not-ready endpoints, endpoints on this node
and on others) and the first packet of connections to them from the node, its pod and the LAN.

Why: ktrace's Kubernetes source writes the rules (the scenario carries the cluster's YAML), the
kernel runs them, and every first packet's trace must be one ktrace prints. Hand-written clusters
test the combinations their author thought of; random ones meet the rest (a hairpin through a
NodePort, an eTP Local LoadBalancer reached from the node itself, affinity on a terminating
endpoint).

The outcome of kube-proxy's coin tosses is random, so each probe is a random case: the kernel sends
it a few times (from consecutive source ports) and each of its traces must be one of the traces
ktrace prints over its seeds. A Service with session affinity is probed once per client address
(the kernel's `recent` lists outlive a case; ktrace starts each case afresh).

    python3 test/kernel/tools/make-k8s-random.py SEED OUT.json
"""
import json, random, sys

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
out = sys.argv[2] if len(sys.argv) > 2 else f"/tmp/k8s-random-{seed}.json"
rnd = random.Random(seed)
pick = rnd.choice

# (address, node): the topology's listeners on other nodes, its local pod, and an address nobody holds
ENDPOINTS = [("10.42.54.194", "node-b"), ("10.42.217.66", "node-c"), ("10.42.135.140", "node"), ("10.42.54.200", "node-b")]
NODE, POD, LAN = "192.168.1.88", "10.42.135.140", "192.168.1.50"

services, yaml, setup_lan = [], [], []
used_ips = set()


def cluster_ip():
    while True:
        ip = f"10.43.{rnd.randrange(0, 256)}.{rnd.randrange(1, 255)}"
        if ip not in used_ips:
            used_ips.add(ip)
            return ip


def conditions():
    r = rnd.random()
    if r < 0.1:
        return "{ready: false, serving: true, terminating: true}"
    if r < 0.15:
        return "{ready: false, serving: false, terminating: false}"
    return "{ready: true}"


for k in range(rnd.randrange(3, 7)):
    kind = pick(["ClusterIP", "ClusterIP", "NodePort", "LoadBalancer"])
    name = f"svc{k}"
    ip = cluster_ip()
    nports = 1 if rnd.random() < 0.7 else 2
    ports = []
    for i in range(nports):
        proto = "UDP" if rnd.random() < 0.2 else "TCP"
        port = pick([80, 443, 8080, 9898, 53])
        if any(p["port"] == port and p["proto"] == proto for p in ports):
            continue
        ports.append({"name": f"p{i}" if nports > 1 else "", "port": port, "proto": proto, "nodePort": 30000 + k * 10 + i if kind != "ClusterIP" else None})
    svc = {"name": name, "kind": kind, "ip": ip, "ports": ports}
    svc["etp"] = kind != "ClusterIP" and rnd.random() < 0.35
    svc["itp"] = rnd.random() < 0.15
    svc["affinity"] = rnd.random() < 0.25
    svc["lb"] = f"192.168.1.{200 + k}" if kind == "LoadBalancer" else None
    svc["ranges"] = pick([["192.168.1.0/24"], ["203.0.113.0/24"], ["192.168.1.50/32", "10.0.0.0/8"]]) if svc["lb"] and rnd.random() < 0.35 else None
    svc["external"] = f"192.168.1.{220 + k}" if rnd.random() < 0.2 else None
    services.append(svc)

    spec = [f"    type: {kind}", f"    clusterIP: {ip}"]
    if svc["etp"]:
        spec.append("    externalTrafficPolicy: Local")
        if kind == "LoadBalancer":
            spec.append(f"    healthCheckNodePort: {32000 + k}")
    if svc["itp"]:
        spec.append("    internalTrafficPolicy: Local")
    if svc["affinity"]:
        spec += ["    sessionAffinity: ClientIP", "    sessionAffinityConfig: {clientIP: {timeoutSeconds: 10800}}"]
    if svc["ranges"]:
        spec.append(f"    loadBalancerSourceRanges: [{', '.join(svc['ranges'])}]")
    if svc["external"]:
        spec.append(f"    externalIPs: [{svc['external']}]")
        setup_lan.append(f"ip route add {svc['external']}/32 via {NODE} dev eth0")
    spec.append("    ports:")
    for p in ports:
        node_port = f", nodePort: {p['nodePort']}" if p["nodePort"] else ""
        spec.append(f"    - {{name: \"{p['name']}\", port: {p['port']}{node_port}, protocol: {p['proto']}, targetPort: {9898 if p['proto'] == 'TCP' else 53}}}")
    yaml += ["- apiVersion: v1", "  kind: Service", f"  metadata: {{name: {name}, namespace: ns}}", "  spec:", *spec]
    if svc["lb"]:
        yaml += ["  status:", "    loadBalancer:", f"      ingress: [{{ip: {svc['lb']}}}]"]
        setup_lan.append(f"ip route add {svc['lb']}/32 via {NODE} dev eth0")

    if rnd.random() < 0.12:
        continue  # no EndpointSlice: no endpoints
    eps = rnd.sample(ENDPOINTS, rnd.randrange(1, 4))
    yaml += ["- apiVersion: discovery.k8s.io/v1", "  kind: EndpointSlice", "  metadata:", f"    name: {name}-abcde", "    namespace: ns",
             f"    labels: {{kubernetes.io/service-name: {name}}}", "  addressType: IPv4", "  endpoints:"]
    for addr, node in eps:
        yaml += [f"  - addresses: [{addr}]", f"    conditions: {conditions()}", f"    nodeName: {node}"]
    yaml.append("  ports:")
    for p in ports:
        yaml.append(f"  - {{name: \"{p['name']}\", port: {9898 if p['proto'] == 'TCP' else 53}, protocol: {p['proto']}}}")

# every way in to every port, then a random dozen and a half of them
probes = []
for svc in services:
    for p in svc["ports"]:
        ways = [("node", NODE, None, svc["ip"], p["port"]), ("pod", POD, "cali1", svc["ip"], p["port"]), ("lan", LAN, "enp3s0", svc["ip"], p["port"])]
        if p["nodePort"]:
            ways += [("lan", LAN, "enp3s0", NODE, p["nodePort"]), ("node", NODE, None, NODE, p["nodePort"]), ("pod", POD, "cali1", NODE, p["nodePort"])]
        if svc["lb"]:
            ways += [("lan", LAN, "enp3s0", svc["lb"], p["port"]), ("node", NODE, None, svc["lb"], p["port"]), ("pod", POD, "cali1", svc["lb"], p["port"])]
        if svc["external"]:
            ways += [("lan", LAN, "enp3s0", svc["external"], p["port"]), ("pod", POD, "cali1", svc["external"], p["port"])]
        probes += [(svc, p, *w) for w in ways]
rnd.shuffle(probes)

cases, affinity_seen, udp_ports = [], set(), set()
for svc, p, frm, src, iface, dst, dport in probes:
    if len(cases) >= 16:
        break
    if svc["affinity"]:
        if (svc["name"], src) in affinity_seen:
            continue
        affinity_seen.add((svc["name"], src))
    proto = p["proto"].lower()
    if proto == "udp":
        udp_ports.add(dport)
    case = {"name": f"{frm} -> {svc['name']} ({svc['kind']}{', eTP Local' if svc['etp'] else ''}{', iTP Local' if svc['itp'] else ''}{', affinity' if svc['affinity'] else ''}) {dst}:{dport}/{proto}",
            "from": frm, "proto": proto, "src": src, "sport": 40000 + len(cases) * 10, "dst": dst, "dport": dport,
            "timeout": 0.3, "random": 1 if svc["affinity"] else 4}
    if iface:
        case["iface"] = iface
    cases.append(case)

rules = ["*raw", ":PREROUTING ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
for chain in ["PREROUTING", "OUTPUT"]:
    rules.append(f"-A {chain} -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TRACE")
    for port in sorted(udp_ports):
        rules.append(f"-A {chain} -p udp -m udp --dport {port} -j TRACE")
rules.append("COMMIT")

scenario = {
    "name": f"a random Kubernetes cluster (seed {seed}) generated by ktrace, first packets to its Services",
    "description": f"test/kernel/tools/make-k8s-random.py {seed}: {len(services)} Services; the rules are what ktrace's Kubernetes source writes for the YAML below (node 'node', calico); each probe's kernel traces must be ones ktrace prints.",
    "base": "k8s-node",
    "setup": {"lan": setup_lan},
    "rules": rules,
    "k8s": {"text": "apiVersion: v1\nkind: List\nitems:\n" + "\n".join(yaml) + "\n", "nodeName": "node", "clusterCidr": "10.42.0.0/16"},
    "cases": cases,
}
with open(out, "w") as f:
    json.dump(scenario, f, indent=1)
    f.write("\n")
