/**
 * A CNI plugin's own chains around kube-proxy's: Calico (as on the article's RKE2 node) or flannel.
 *
 * Why: a real node never has kube-proxy's rules alone; the CNI's jumps sit in front of them (Calico
 * inserts at the top of the builtin chains) or after them (flannel appends), and a learner tracing
 * a packet meets them first. Calico's rules are taken from the canned article ruleset, which is
 * a capture of Calico 3.26 with no local workloads, so they are real rules with real `cali:` ids;
 * they match the ipsets cali40all-vxlan-net, cali40masq-ipam-pools and cali40all-ipam-pools.
 * flannel's are its iptables (non-nft) mode rules for a node subnet and the cluster network, as
 * flannel's own e2e test expects them.
 */
import { ARTICLE_RULES } from "../canned/article-rules.js";
import { cidr, type TableName, type Tables } from "./save.js";

export type Cni = "calico" | "flannel" | "none";

const BUILTIN = /^(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING)$/;
const CTSTATES = ["INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT"];

/** iptables 1.8.9 prints --ctstate lists in this fixed order (the article has "DNAT,SNAT"). */
function canonicalStates(body: string): string {
  return body.replace(/--ctstate (\S+)/g, (_, list: string) => `--ctstate ${list.split(",").sort((a, b) => CTSTATES.indexOf(a) - CTSTATES.indexOf(b)).join(",")}`);
}

/** Calico's part of the article ruleset, per table: chains, head/tail jumps, chain rules. */
function calicoFromArticle() {
  const out = new Map<TableName, { chains: string[]; head: [string, string][]; tail: [string, string][]; rules: [string, string][] }>();
  let cur: ReturnType<typeof out.get>;
  const seenOther = new Set<string>();
  for (const line of ARTICLE_RULES.split("\n")) {
    const t = /^\*(\w+)$/.exec(line);
    if (t) {
      cur = { chains: [], head: [], tail: [], rules: [] };
      out.set(t[1] as TableName, cur);
      seenOther.clear();
      continue;
    }
    if (!cur) continue;
    const c = /^:(cali-\S+) /.exec(line);
    if (c) cur.chains.push(c[1]!);
    const r = /^-A (\S+) (.*)$/.exec(line);
    if (!r) continue;
    const chain = r[1]!;
    const body = canonicalStates(r[2]!);
    if (chain.startsWith("cali-")) cur.rules.push([chain, body]);
    else if (BUILTIN.test(chain) && body.includes('"cali:')) (seenOther.has(chain) ? cur.tail : cur.head).push([chain, body]);
    else seenOther.add(chain);
  }
  return out;
}

function addCalico(tables: Tables): void {
  for (const [name, part] of calicoFromArticle()) {
    const t = tables.get(name);
    for (const c of part.chains) t.chain(c);
    const heads = new Map<string, string[]>();
    for (const [chain, body] of part.head) heads.set(chain, [...(heads.get(chain) ?? []), body]);
    for (const [chain, bodies] of heads) t.prepend(chain, bodies);
    for (const [chain, body] of [...part.tail, ...part.rules]) t.add(chain, body);
  }
}

function addFlannel(tables: Tables, network: string, subnet: string): void {
  const filter = tables.get("filter");
  const fwd = '-m comment --comment "flanneld forward"';
  filter.add("FORWARD", `${fwd} -j FLANNEL-FWD`);
  filter.add("FLANNEL-FWD", `-s ${network} ${fwd} -j ACCEPT`);
  filter.add("FLANNEL-FWD", `-d ${network} ${fwd} -j ACCEPT`);
  const nat = tables.get("nat");
  const masq = '-m comment --comment "flanneld masq"';
  nat.add("POSTROUTING", `${masq} -j FLANNEL-POSTRTG`);
  nat.add("FLANNEL-POSTRTG", `-m mark --mark 0x4000/0x4000 ${masq} -j RETURN`);
  nat.add("FLANNEL-POSTRTG", `-s ${subnet} -d ${network} ${masq} -j RETURN`);
  nat.add("FLANNEL-POSTRTG", `-s ${network} -d ${subnet} ${masq} -j RETURN`);
  nat.add("FLANNEL-POSTRTG", `! -s ${network} -d ${subnet} ${masq} -j RETURN`);
  nat.add("FLANNEL-POSTRTG", `-s ${network} ! -d 224.0.0.0/4 ${masq} -j MASQUERADE --random-fully`);
  nat.add("FLANNEL-POSTRTG", `! -s ${network} -d ${network} ${masq} -j MASQUERADE --random-fully`);
}

/**
 * The node's flannel subnet: the /24 its local pods live in (flannel's default SubnetLen), else
 * the first /24 of the cluster network.
 */
export function nodeSubnet(network: string, localPodIPs: string[]): string {
  const inNet = localPodIPs.find((ip) => cidr(`${ip}/${network.split("/")[1]}`) === network);
  return cidr(`${inNet ?? network.split("/")[0]}/24`);
}

export function addCni(tables: Tables, cni: Cni, clusterCidr: string, localPodIPs: string[]): void {
  if (cni === "calico") addCalico(tables);
  else if (cni === "flannel") addFlannel(tables, cidr(clusterCidr), nodeSubnet(cidr(clusterCidr), localPodIPs));
}
