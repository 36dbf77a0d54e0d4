/**
 * The node the article traced: an RKE2 1.28 + Calico 3.26 (VXLAN) worker, as iproute2 would
 * describe it (`ip -j addr`, `ip -j route show table all`, `ip -j rule`) and its ipsets.
 *
 * Why: the canned scenario must route like the real node — `ip route get 10.42.54.194` answers
 * `via 10.42.54.193 dev vxlan.calico src 10.42.135.130` — so the article's OUT=vxlan.calico and
 * Calico's MASQUERADE source come out right. Addresses are the article's; MACs, the local pods
 * and the other nodes' blocks are what such a node has.
 */
const lo = { ifindex: 1, ifname: "lo", flags: ["LOOPBACK", "UP", "LOWER_UP"], mtu: 65536, link_type: "loopback", address: "00:00:00:00:00:00", addr_info: [{ family: "inet", local: "127.0.0.1", prefixlen: 8, scope: "host" }] };
const enp3s0 = { ifindex: 2, ifname: "enp3s0", flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], mtu: 1500, link_type: "ether", address: "58:47:ca:71:5e:3a", addr_info: [{ family: "inet", local: "192.168.1.88", prefixlen: 24, broadcast: "192.168.1.255", scope: "global" }] };
const vxlan = { ifindex: 5, ifname: "vxlan.calico", flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], mtu: 1450, link_type: "ether", address: "66:2b:3e:9c:4f:d1", addr_info: [{ family: "inet", local: "10.42.135.130", prefixlen: 32, scope: "global" }] };
const pod1 = { ifindex: 8, ifname: "cali5c2e8d1a0b7", flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], mtu: 1450, link_type: "ether", address: "ee:ee:ee:ee:ee:ee", addr_info: [] };
const pod2 = { ifindex: 9, ifname: "calia41f3d96e02", flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], mtu: 1450, link_type: "ether", address: "ee:ee:ee:ee:ee:ee", addr_info: [] };

export const ARTICLE_ADDR_JSON = JSON.stringify([lo, enp3s0, vxlan, pod1, pod2]);

const r = (o: Record<string, unknown>) => ({ flags: [], ...o });
export const ARTICLE_ROUTE_JSON = JSON.stringify([
  r({ dst: "default", gateway: "192.168.1.1", dev: "enp3s0", protocol: "dhcp", prefsrc: "192.168.1.88", metric: 100 }),
  r({ type: "blackhole", dst: "10.42.135.128/26", protocol: "80" }),
  r({ dst: "10.42.135.131", dev: "cali5c2e8d1a0b7", scope: "link" }),
  r({ dst: "10.42.135.132", dev: "calia41f3d96e02", scope: "link" }),
  r({ dst: "10.42.54.192/26", gateway: "10.42.54.193", dev: "vxlan.calico", protocol: "80", flags: ["onlink"] }),
  r({ dst: "10.42.217.64/26", gateway: "10.42.217.64", dev: "vxlan.calico", protocol: "80", flags: ["onlink"] }),
  r({ dst: "192.168.1.0/24", dev: "enp3s0", protocol: "kernel", scope: "link", prefsrc: "192.168.1.88", metric: 100 }),
  r({ dst: "192.168.1.1", dev: "enp3s0", protocol: "dhcp", scope: "link", prefsrc: "192.168.1.88", metric: 100 }),
  r({ type: "local", dst: "10.42.135.130", dev: "vxlan.calico", table: "local", protocol: "kernel", scope: "host", prefsrc: "10.42.135.130" }),
  r({ type: "local", dst: "127.0.0.0/8", dev: "lo", table: "local", protocol: "kernel", scope: "host", prefsrc: "127.0.0.1" }),
  r({ type: "local", dst: "127.0.0.1", dev: "lo", table: "local", protocol: "kernel", scope: "host", prefsrc: "127.0.0.1" }),
  r({ type: "broadcast", dst: "127.255.255.255", dev: "lo", table: "local", protocol: "kernel", scope: "link", prefsrc: "127.0.0.1" }),
  r({ type: "local", dst: "192.168.1.88", dev: "enp3s0", table: "local", protocol: "kernel", scope: "host", prefsrc: "192.168.1.88" }),
  r({ type: "broadcast", dst: "192.168.1.255", dev: "enp3s0", table: "local", protocol: "kernel", scope: "link", prefsrc: "192.168.1.88" }),
]);

export const ARTICLE_RULE_JSON = JSON.stringify([
  { priority: 0, src: "all", table: "local" },
  { priority: 32766, src: "all", table: "main" },
  { priority: 32767, src: "all", table: "default" },
]);

export const ARTICLE_IPSETS = `create cali40all-ipam-pools hash:net family inet hashsize 1024 maxelem 1048576 bucketsize 12 initval 0x3a5c1f27
add cali40all-ipam-pools 10.42.0.0/16
create cali40masq-ipam-pools hash:net family inet hashsize 1024 maxelem 1048576 bucketsize 12 initval 0x9d2b4e61
add cali40masq-ipam-pools 10.42.0.0/16
create cali40all-vxlan-net hash:net family inet hashsize 1024 maxelem 1048576 bucketsize 12 initval 0x51e0a8c3
add cali40all-vxlan-net 192.168.1.87
add cali40all-vxlan-net 192.168.1.89
add cali40all-vxlan-net 192.168.1.90
create cali40all-hosts-net hash:net family inet hashsize 1024 maxelem 1048576 bucketsize 12 initval 0x0c7f3b95
add cali40all-hosts-net 192.168.1.87
add cali40all-hosts-net 192.168.1.88
add cali40all-hosts-net 192.168.1.89
add cali40all-hosts-net 192.168.1.90
create cali40this-host hash:ip family inet hashsize 1024 maxelem 1048576 bucketsize 12 initval 0x6e41d208
add cali40this-host 192.168.1.88
add cali40this-host 10.42.135.130
add cali40this-host 127.0.0.1
`;
