/**
 * The canned scenarios a learner can load by name (`--canned NAME`, `load canned NAME`).
 *
 * Why: no cluster, no root: a scenario is a whole node — interfaces, routes, ipsets and ruleset —
 * shipped as data in the package.
 */
import { ARTICLE_ADDR_JSON, ARTICLE_IPSETS, ARTICLE_ROUTE_JSON, ARTICLE_RULE_JSON } from "./article-node.js";
import { ARTICLE_RULES } from "./article-rules.js";

export interface CannedScenario {
  name: string;
  title: string;
  hostname: string;
  addrJson: string;
  routeJson: string;
  ruleJson: string;
  ipsets: string;
  rules: string;
  sysctl: Record<string, string>;
  /** A first command worth typing. */
  hint: string;
}

export const CANNED: Record<string, CannedScenario> = {
  article: {
    name: "article",
    title: 'The node from "Tracing Kubernetes Services" (RKE2 1.28 + Calico 3.26 VXLAN, podinfo frontend at 10.43.156.98:9898)',
    hostname: "rke2-agent-1",
    addrJson: ARTICLE_ADDR_JSON,
    routeJson: ARTICLE_ROUTE_JSON,
    ruleJson: ARTICLE_RULE_JSON,
    ipsets: ARTICLE_IPSETS,
    rules: ARTICLE_RULES,
    sysctl: { "net.ipv4.ip_forward": "1", "net.ipv4.conf.all.rp_filter": "0" },
    hint: "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898",
  },
};
