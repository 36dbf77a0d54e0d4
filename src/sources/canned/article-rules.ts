/**
 * The article node's ruleset as iptables-save (nft, 1.8.9) prints it, with the rule handles
 * the article's capture shows pinned by `# ktrace:handle` lines.
 *
 * Why: the canned scenario must reproduce the capture (handles 0x18, 0xb9, 0x4aaa, ...) and
 * behave like a real RKE2 1.28 + Calico 3.26 node: kube-proxy's Services (the article's podinfo
 * frontend plus the cluster's usual ones), KUBE-POSTROUTING, KUBE-NODEPORTS, Calico's chains and
 * the two TRACE rules the author added. Every rule the article shows or traces is here verbatim,
 * with its real `cali:` hash; KUBE-* names are kube-proxy's sha256/base32 hashes of the Service
 * ports. Calico rules the article never shows carry representative `cali:` hashes.
 */
export const ARTICLE_RULES = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:cali-OUTPUT - [0:0]
:cali-PREROUTING - [0:0]
:cali-from-host-endpoint - [0:0]
:cali-rpf-skip - [0:0]
:cali-to-host-endpoint - [0:0]
-A PREROUTING -m comment --comment "cali:6gwbT8clXdHdC1b1" -j cali-PREROUTING
# ktrace:handle 0x17
-A PREROUTING -p tcp -m tcp --dport 9898 -j TRACE
-A OUTPUT -m comment --comment "cali:tVnHkvAo15HuiPy0" -j cali-OUTPUT
# ktrace:handle 0x18
-A OUTPUT -p tcp -m tcp --dport 9898 -j TRACE
-A cali-OUTPUT -m comment --comment "cali:njdnLwYeGqBJyMxW" -j MARK --set-xmark 0x0/0xf0000
-A cali-OUTPUT -m comment --comment "cali:rz86uTUcEZAfFsh7" -j cali-to-host-endpoint
-A cali-OUTPUT -m comment --comment "cali:pN0F5zD0b8yf9W1Z" -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-PREROUTING -m comment --comment "cali:XFX5xbM8B9qR10JG" -j MARK --set-xmark 0x0/0xf0000
-A cali-PREROUTING -i cali+ -m comment --comment "cali:EWMPb0zVROM-woQp" -j MARK --set-xmark 0x40000/0x40000
-A cali-PREROUTING -m comment --comment "cali:PWuxTAIaFCtsg5Qa" -m mark --mark 0x40000/0x40000 -j cali-rpf-skip
-A cali-PREROUTING -m comment --comment "cali:fSSbGND7dgyemWU7" -m mark --mark 0x40000/0x40000 -m rpfilter --validmark --invert -j DROP
-A cali-PREROUTING -m comment --comment "cali:ImU0-4Rl2WoOI9Ou" -m mark --mark 0x0/0x40000 -j cali-from-host-endpoint
-A cali-PREROUTING -m comment --comment "cali:8qVOHDW7ZzSJxJnd" -m mark --mark 0x10000/0x10000 -j ACCEPT
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-IPTABLES-HINT - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
:KUBE-PROXY-CANARY - [0:0]
:cali-POSTROUTING - [0:0]
:cali-PREROUTING - [0:0]
:cali-from-host-endpoint - [0:0]
:cali-to-host-endpoint - [0:0]
-A PREROUTING -m comment --comment "cali:6gwbT8clXdHdC1b1" -j cali-PREROUTING
# ktrace:handle 0x15
-A POSTROUTING -m comment --comment "cali:O3lYWMrLQYEMJtB5" -j cali-POSTROUTING
# ktrace:handle 0x12
-A cali-POSTROUTING -m comment --comment "cali:nnqPh8lh2VOogSzX" -j MARK --set-xmark 0x0/0xf0000
# ktrace:handle 0x13
-A cali-POSTROUTING -m comment --comment "cali:nquN8Jw8Tz72pcBW" -m conntrack --ctstate DNAT -j cali-to-host-endpoint
-A cali-POSTROUTING -m comment --comment "cali:jWrgvDQ0Ctw5WQZl" -m comment --comment "Host endpoint policy accepted packet." -m conntrack --ctstate DNAT -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-PREROUTING -m comment --comment "cali:6BJqBjBC7crtA-7-" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-PREROUTING -m comment --comment "cali:KX7AGNd6rMcDUai6" -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-PREROUTING -m comment --comment "cali:wNH7KsA3ILKJBsY9" -j cali-from-host-endpoint
-A cali-PREROUTING -m comment --comment "cali:Cg96MgVuoPm7UMRo" -m comment --comment "Host endpoint policy accepted packet." -m mark --mark 0x10000/0x10000 -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-EXT-BLTTHJCP2TRUVAEH - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-PROXY-CANARY - [0:0]
:KUBE-SEP-2F6YH64LDLQZQZKT - [0:0]
:KUBE-SEP-2URW4MXI34BNRRS6 - [0:0]
:KUBE-SEP-6G2GMHWEBXQ5W3DV - [0:0]
:KUBE-SEP-GJXHC245PSBHRI3E - [0:0]
:KUBE-SEP-O6RKJJY4RCF25RXF - [0:0]
:KUBE-SEP-OYNVDBAPYJ623W6H - [0:0]
:KUBE-SEP-QQ4JSP576JGPVKEM - [0:0]
:KUBE-SEP-T5WQX3A5KHJP7TDS - [0:0]
:KUBE-SEP-VVDIBCOA74AE4DCB - [0:0]
:KUBE-SEP-XBUUMS2TLF46YOBW - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-BLTTHJCP2TRUVAEH - [0:0]
:KUBE-SVC-NPX46M4PTMTKRN6Y - [0:0]
:KUBE-SVC-PUNXDRXNIM3ELMDM - [0:0]
:KUBE-SVC-XE7ESY6SMLXCEWWE - [0:0]
:KUBE-SVC-Y4T5L63IYP3YFEBS - [0:0]
:KUBE-SVC-YFPH5LFNKP7E3G4L - [0:0]
:cali-OUTPUT - [0:0]
:cali-POSTROUTING - [0:0]
:cali-PREROUTING - [0:0]
:cali-fip-dnat - [0:0]
:cali-fip-snat - [0:0]
:cali-nat-outgoing - [0:0]
-A PREROUTING -m comment --comment "cali:6gwbT8clXdHdC1b1" -j cali-PREROUTING
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
# ktrace:handle 0xb9
-A OUTPUT -m comment --comment "cali:tVnHkvAo15HuiPy0" -j cali-OUTPUT
# ktrace:handle 0x9
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
# ktrace:handle 0xba
-A POSTROUTING -m comment --comment "cali:O3lYWMrLQYEMJtB5" -j cali-POSTROUTING
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-EXT-BLTTHJCP2TRUVAEH -m comment --comment "masquerade traffic for kube-system/rke2-ingress-nginx-controller:http external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-BLTTHJCP2TRUVAEH -j KUBE-SVC-BLTTHJCP2TRUVAEH
# ktrace:handle 0x4aa4
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-NODEPORTS -p tcp -m comment --comment "kube-system/rke2-ingress-nginx-controller:http" -m tcp --dport 30080 -j KUBE-EXT-BLTTHJCP2TRUVAEH
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SEP-2F6YH64LDLQZQZKT -s 10.42.135.131/32 -m comment --comment "kube-system/rke2-coredns-rke2-coredns:udp-53" -j KUBE-MARK-MASQ
-A KUBE-SEP-2F6YH64LDLQZQZKT -p udp -m comment --comment "kube-system/rke2-coredns-rke2-coredns:udp-53" -m udp -j DNAT --to-destination 10.42.135.131:53
-A KUBE-SEP-2URW4MXI34BNRRS6 -s 10.42.217.67/32 -m comment --comment "kube-system/rke2-coredns-rke2-coredns:tcp-53" -j KUBE-MARK-MASQ
-A KUBE-SEP-2URW4MXI34BNRRS6 -p tcp -m comment --comment "kube-system/rke2-coredns-rke2-coredns:tcp-53" -m tcp -j DNAT --to-destination 10.42.217.67:53
# ktrace:handle 0x471e
-A KUBE-SEP-6G2GMHWEBXQ5W3DV -s 10.42.217.66/32 -m comment --comment "podinfo/frontend-podinfo:http" -j KUBE-MARK-MASQ
# ktrace:handle 0x471f
-A KUBE-SEP-6G2GMHWEBXQ5W3DV -p tcp -m comment --comment "podinfo/frontend-podinfo:http" -m tcp -j DNAT --to-destination 10.42.217.66:9898
-A KUBE-SEP-GJXHC245PSBHRI3E -s 192.168.1.87/32 -m comment --comment "default/kubernetes:https" -j KUBE-MARK-MASQ
-A KUBE-SEP-GJXHC245PSBHRI3E -p tcp -m comment --comment "default/kubernetes:https" -m tcp -j DNAT --to-destination 192.168.1.87:6443
-A KUBE-SEP-O6RKJJY4RCF25RXF -s 10.42.135.131/32 -m comment --comment "kube-system/rke2-coredns-rke2-coredns:tcp-53" -j KUBE-MARK-MASQ
-A KUBE-SEP-O6RKJJY4RCF25RXF -p tcp -m comment --comment "kube-system/rke2-coredns-rke2-coredns:tcp-53" -m tcp -j DNAT --to-destination 10.42.135.131:53
# ktrace:handle 0x4720
-A KUBE-SEP-OYNVDBAPYJ623W6H -s 10.42.54.194/32 -m comment --comment "podinfo/frontend-podinfo:http" -j KUBE-MARK-MASQ
# ktrace:handle 0x4721
-A KUBE-SEP-OYNVDBAPYJ623W6H -p tcp -m comment --comment "podinfo/frontend-podinfo:http" -m tcp -j DNAT --to-destination 10.42.54.194:9898
-A KUBE-SEP-QQ4JSP576JGPVKEM -s 10.42.135.132/32 -m comment --comment "kube-system/rke2-ingress-nginx-controller:http" -j KUBE-MARK-MASQ
-A KUBE-SEP-QQ4JSP576JGPVKEM -p tcp -m comment --comment "kube-system/rke2-ingress-nginx-controller:http" -m tcp -j DNAT --to-destination 10.42.135.132:80
-A KUBE-SEP-T5WQX3A5KHJP7TDS -s 10.42.217.67/32 -m comment --comment "kube-system/rke2-coredns-rke2-coredns:udp-53" -j KUBE-MARK-MASQ
-A KUBE-SEP-T5WQX3A5KHJP7TDS -p udp -m comment --comment "kube-system/rke2-coredns-rke2-coredns:udp-53" -m udp -j DNAT --to-destination 10.42.217.67:53
-A KUBE-SEP-VVDIBCOA74AE4DCB -s 10.42.54.194/32 -m comment --comment "podinfo/frontend-podinfo:grpc" -j KUBE-MARK-MASQ
-A KUBE-SEP-VVDIBCOA74AE4DCB -p tcp -m comment --comment "podinfo/frontend-podinfo:grpc" -m tcp -j DNAT --to-destination 10.42.54.194:9999
-A KUBE-SEP-XBUUMS2TLF46YOBW -s 10.42.217.66/32 -m comment --comment "podinfo/frontend-podinfo:grpc" -j KUBE-MARK-MASQ
-A KUBE-SEP-XBUUMS2TLF46YOBW -p tcp -m comment --comment "podinfo/frontend-podinfo:grpc" -m tcp -j DNAT --to-destination 10.42.217.66:9999
-A KUBE-SERVICES -d 10.43.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y
-A KUBE-SERVICES -d 10.43.0.10/32 -p udp -m comment --comment "kube-system/rke2-coredns-rke2-coredns:udp-53 cluster IP" -m udp --dport 53 -j KUBE-SVC-YFPH5LFNKP7E3G4L
-A KUBE-SERVICES -d 10.43.0.10/32 -p tcp -m comment --comment "kube-system/rke2-coredns-rke2-coredns:tcp-53 cluster IP" -m tcp --dport 53 -j KUBE-SVC-PUNXDRXNIM3ELMDM
-A KUBE-SERVICES -d 10.43.87.203/32 -p tcp -m comment --comment "kube-system/rke2-ingress-nginx-controller:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-BLTTHJCP2TRUVAEH
-A KUBE-SERVICES -d 10.43.156.98/32 -p tcp -m comment --comment "podinfo/frontend-podinfo:grpc cluster IP" -m tcp --dport 9999 -j KUBE-SVC-XE7ESY6SMLXCEWWE
# ktrace:handle 0x4aaa
-A KUBE-SERVICES -d 10.43.156.98/32 -p tcp -m comment --comment "podinfo/frontend-podinfo:http cluster IP" -m tcp --dport 9898 -j KUBE-SVC-Y4T5L63IYP3YFEBS
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-BLTTHJCP2TRUVAEH ! -s 10.42.0.0/16 -d 10.43.87.203/32 -p tcp -m comment --comment "kube-system/rke2-ingress-nginx-controller:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-BLTTHJCP2TRUVAEH -m comment --comment "kube-system/rke2-ingress-nginx-controller:http -> 10.42.135.132:80" -j KUBE-SEP-QQ4JSP576JGPVKEM
-A KUBE-SVC-NPX46M4PTMTKRN6Y ! -s 10.42.0.0/16 -d 10.43.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-MARK-MASQ
-A KUBE-SVC-NPX46M4PTMTKRN6Y -m comment --comment "default/kubernetes:https -> 192.168.1.87:6443" -j KUBE-SEP-GJXHC245PSBHRI3E
-A KUBE-SVC-PUNXDRXNIM3ELMDM ! -s 10.42.0.0/16 -d 10.43.0.10/32 -p tcp -m comment --comment "kube-system/rke2-coredns-rke2-coredns:tcp-53 cluster IP" -m tcp --dport 53 -j KUBE-MARK-MASQ
-A KUBE-SVC-PUNXDRXNIM3ELMDM -m comment --comment "kube-system/rke2-coredns-rke2-coredns:tcp-53 -> 10.42.135.131:53" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-O6RKJJY4RCF25RXF
-A KUBE-SVC-PUNXDRXNIM3ELMDM -m comment --comment "kube-system/rke2-coredns-rke2-coredns:tcp-53 -> 10.42.217.67:53" -j KUBE-SEP-2URW4MXI34BNRRS6
-A KUBE-SVC-XE7ESY6SMLXCEWWE ! -s 10.42.0.0/16 -d 10.43.156.98/32 -p tcp -m comment --comment "podinfo/frontend-podinfo:grpc cluster IP" -m tcp --dport 9999 -j KUBE-MARK-MASQ
-A KUBE-SVC-XE7ESY6SMLXCEWWE -m comment --comment "podinfo/frontend-podinfo:grpc -> 10.42.217.66:9999" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-XBUUMS2TLF46YOBW
-A KUBE-SVC-XE7ESY6SMLXCEWWE -m comment --comment "podinfo/frontend-podinfo:grpc -> 10.42.54.194:9999" -j KUBE-SEP-VVDIBCOA74AE4DCB
# ktrace:handle 0x471b
-A KUBE-SVC-Y4T5L63IYP3YFEBS ! -s 10.42.0.0/16 -d 10.43.156.98/32 -p tcp -m comment --comment "podinfo/frontend-podinfo:http cluster IP" -m tcp --dport 9898 -j KUBE-MARK-MASQ
# ktrace:handle 0x471c
-A KUBE-SVC-Y4T5L63IYP3YFEBS -m comment --comment "podinfo/frontend-podinfo:http -> 10.42.217.66:9898" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-6G2GMHWEBXQ5W3DV
# ktrace:handle 0x471d
-A KUBE-SVC-Y4T5L63IYP3YFEBS -m comment --comment "podinfo/frontend-podinfo:http -> 10.42.54.194:9898" -j KUBE-SEP-OYNVDBAPYJ623W6H
-A KUBE-SVC-YFPH5LFNKP7E3G4L ! -s 10.42.0.0/16 -d 10.43.0.10/32 -p udp -m comment --comment "kube-system/rke2-coredns-rke2-coredns:udp-53 cluster IP" -m udp --dport 53 -j KUBE-MARK-MASQ
-A KUBE-SVC-YFPH5LFNKP7E3G4L -m comment --comment "kube-system/rke2-coredns-rke2-coredns:udp-53 -> 10.42.135.131:53" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-2F6YH64LDLQZQZKT
-A KUBE-SVC-YFPH5LFNKP7E3G4L -m comment --comment "kube-system/rke2-coredns-rke2-coredns:udp-53 -> 10.42.217.67:53" -j KUBE-SEP-T5WQX3A5KHJP7TDS
# ktrace:handle 0xb8
-A cali-OUTPUT -m comment --comment "cali:GBTAv2p5CwevEyJm" -j cali-fip-dnat
# ktrace:handle 0xb5
-A cali-POSTROUTING -m comment --comment "cali:Z-c7XtVd2Bq7s_hA" -j cali-fip-snat
# ktrace:handle 0xb6
-A cali-POSTROUTING -m comment --comment "cali:nYKhEzDlr11Jccal" -j cali-nat-outgoing
# ktrace:handle 0xb7
-A cali-POSTROUTING -o vxlan.calico -m comment --comment "cali:e9dnSgSVNmIcpVhP" -m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL -j MASQUERADE --random-fully
-A cali-PREROUTING -m comment --comment "cali:r6XmIziWUJsdOK6Z" -j cali-fip-dnat
-A cali-nat-outgoing -m comment --comment "cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-PROXY-CANARY - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-SERVICES - [0:0]
:cali-FORWARD - [0:0]
:cali-INPUT - [0:0]
:cali-OUTPUT - [0:0]
:cali-from-hep-forward - [0:0]
:cali-from-host-endpoint - [0:0]
:cali-from-wl-dispatch - [0:0]
:cali-fw-cali5c2e8d1a0b7 - [0:0]
:cali-fw-calia41f3d96e02 - [0:0]
:cali-pri-kns.kube-system - [0:0]
:cali-pro-kns.kube-system - [0:0]
:cali-to-hep-forward - [0:0]
:cali-to-host-endpoint - [0:0]
:cali-to-wl-dispatch - [0:0]
:cali-tw-cali5c2e8d1a0b7 - [0:0]
:cali-tw-calia41f3d96e02 - [0:0]
:cali-wl-to-host - [0:0]
-A INPUT -m comment --comment "cali:Cz_u1IQiXIMmKD4c" -j cali-INPUT
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m comment --comment "cali:wUHhoiAYhphO9Mso" -j cali-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A FORWARD -m comment --comment "cali:S93hcgKJrXEqnTfs" -m comment --comment "Policy explicitly accepted packet." -m mark --mark 0x10000/0x10000 -j ACCEPT
-A FORWARD -m comment --comment "cali:mp77cMpurHhyjLrM" -j MARK --set-xmark 0x10000/0x10000
# ktrace:handle 0x91
-A OUTPUT -m comment --comment "cali:tVnHkvAo15HuiPy0" -j cali-OUTPUT
# ktrace:handle 0x17
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
# ktrace:handle 0x12
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
# ktrace:handle 0x6
-A OUTPUT -j KUBE-FIREWALL
-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A KUBE-SERVICES -d 10.43.201.17/32 -p tcp -m comment --comment "podinfo/backend-podinfo:http has no endpoints" -m tcp --dport 9898 -j REJECT --reject-with icmp-port-unreachable
-A cali-FORWARD -m comment --comment "cali:vjrMJCRpqwy5oRoX" -j MARK --set-xmark 0x0/0xe0000
-A cali-FORWARD -m comment --comment "cali:A_sPAO0mcxbT9mOV" -m mark --mark 0x0/0x10000 -j cali-from-hep-forward
-A cali-FORWARD -i cali+ -m comment --comment "cali:8ZoYfO5HKXWbB3pk" -j cali-from-wl-dispatch
-A cali-FORWARD -o cali+ -m comment --comment "cali:jdEuaPBe14V2hutn" -j cali-to-wl-dispatch
-A cali-FORWARD -m comment --comment "cali:12bc6HljsMKsmfr-" -j cali-to-hep-forward
-A cali-INPUT -p udp -m comment --comment "cali:w7ud0UgQSEi_zKuQ" -m udp --dport 4789 -m set --match-set cali40all-vxlan-net src -m addrtype --dst-type LOCAL -j ACCEPT
-A cali-INPUT -p udp -m comment --comment "cali:4cgmbdWsLmozYhJh" -m udp --dport 4789 -m addrtype --dst-type LOCAL -j DROP
-A cali-INPUT -i cali+ -m comment --comment "cali:t45BUBhpu3Wsmi1_" -g cali-wl-to-host
-A cali-INPUT -m comment --comment "cali:NOmsycyknYZaGOFf" -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-INPUT -m comment --comment "cali:Or0B7eoenKO2p8Bf" -j MARK --set-xmark 0x0/0xf0000
-A cali-INPUT -m comment --comment "cali:AmIfvPGG2lYUK6mj" -j cali-from-host-endpoint
-A cali-INPUT -m comment --comment "cali:79fWWn1SpufdO7SE" -m comment --comment "Host endpoint policy accepted packet." -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-OUTPUT -m comment --comment "cali:Mq1_rAdXXH3YkrzW" -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-OUTPUT -o cali+ -m comment --comment "cali:69FkRTJDvD5Vu6Vl" -j RETURN
-A cali-OUTPUT -p udp -m comment --comment "cali:92xbDhIoSbPZH7ZS" -m udp --dport 4789 -m set --match-set cali40all-vxlan-net dst -m addrtype --src-type LOCAL -j ACCEPT
# ktrace:handle 0x8a
-A cali-OUTPUT -m comment --comment "cali:iC1pSPgbvgQzkUk_" -j MARK --set-xmark 0x0/0xf0000
-A cali-OUTPUT -m comment --comment "cali:4Yp0R0s5RHxNJRuB" -m conntrack ! --ctstate SNAT,DNAT -j cali-to-host-endpoint
-A cali-OUTPUT -m comment --comment "cali:wUaQ7MJ8ps6bXyIi" -m comment --comment "Host endpoint policy accepted packet." -m mark --mark 0x10000/0x10000 -j ACCEPT
-A cali-from-wl-dispatch -i cali5c2e8d1a0b7 -m comment --comment "cali:Wb1nQ0fE2xsY9pLr" -g cali-fw-cali5c2e8d1a0b7
-A cali-from-wl-dispatch -i calia41f3d96e02 -m comment --comment "cali:u7GkR3tZq8mVe1Xc" -g cali-fw-calia41f3d96e02
-A cali-from-wl-dispatch -m comment --comment "cali:zTj6P0TIgYvgz-md" -m comment --comment "Unknown interface" -j DROP
-A cali-fw-cali5c2e8d1a0b7 -m comment --comment "cali:Hq3vN8xK0aLm2P1" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-cali5c2e8d1a0b7 -m comment --comment "cali:Hq3vN8xK0aLm2P2" -m conntrack --ctstate INVALID -j DROP
-A cali-fw-cali5c2e8d1a0b7 -m comment --comment "cali:Hq3vN8xK0aLm2P3" -j MARK --set-xmark 0x0/0x10000
-A cali-fw-cali5c2e8d1a0b7 -p udp -m comment --comment "cali:Hq3vN8xK0aLm2P4" -m comment --comment "Drop VXLAN encapped packets originating in workloads" -m multiport --dports 4789 -j DROP
-A cali-fw-cali5c2e8d1a0b7 -m comment --comment "cali:Hq3vN8xK0aLm2P5" -j cali-pro-kns.kube-system
-A cali-fw-cali5c2e8d1a0b7 -m comment --comment "cali:Hq3vN8xK0aLm2P6" -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-cali5c2e8d1a0b7 -m comment --comment "cali:Hq3vN8xK0aLm2P7" -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-fw-calia41f3d96e02 -m comment --comment "cali:Tz5cW1yR7bJn4E1" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-fw-calia41f3d96e02 -m comment --comment "cali:Tz5cW1yR7bJn4E2" -m conntrack --ctstate INVALID -j DROP
-A cali-fw-calia41f3d96e02 -m comment --comment "cali:Tz5cW1yR7bJn4E3" -j MARK --set-xmark 0x0/0x10000
-A cali-fw-calia41f3d96e02 -p udp -m comment --comment "cali:Tz5cW1yR7bJn4E4" -m comment --comment "Drop VXLAN encapped packets originating in workloads" -m multiport --dports 4789 -j DROP
-A cali-fw-calia41f3d96e02 -m comment --comment "cali:Tz5cW1yR7bJn4E5" -j cali-pro-kns.kube-system
-A cali-fw-calia41f3d96e02 -m comment --comment "cali:Tz5cW1yR7bJn4E6" -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-fw-calia41f3d96e02 -m comment --comment "cali:Tz5cW1yR7bJn4E7" -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-pri-kns.kube-system -m comment --comment "cali:J1TyxtHWd0qaBGK-" -m comment --comment "Profile kns.kube-system ingress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pri-kns.kube-system -m comment --comment "cali:QIB6k7eEKdIg73Jp" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-pro-kns.kube-system -m comment --comment "cali:tgOR2S8DVHZW3F1M" -m comment --comment "Profile kns.kube-system egress" -j MARK --set-xmark 0x10000/0x10000
-A cali-pro-kns.kube-system -m comment --comment "cali:HVEEtYPJsiGRXCIt" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-to-wl-dispatch -o cali5c2e8d1a0b7 -m comment --comment "cali:Kd4rP0sXq2wNz6Ua" -g cali-tw-cali5c2e8d1a0b7
-A cali-to-wl-dispatch -o calia41f3d96e02 -m comment --comment "cali:Lm8tY3vQc5eBr1Ho" -g cali-tw-calia41f3d96e02
-A cali-to-wl-dispatch -m comment --comment "cali:7KNphB1nNHw80nIO" -m comment --comment "Unknown interface" -j DROP
-A cali-tw-cali5c2e8d1a0b7 -m comment --comment "cali:Pq2sD9kF4hGz7W1" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-cali5c2e8d1a0b7 -m comment --comment "cali:Pq2sD9kF4hGz7W2" -m conntrack --ctstate INVALID -j DROP
-A cali-tw-cali5c2e8d1a0b7 -m comment --comment "cali:Pq2sD9kF4hGz7W3" -j MARK --set-xmark 0x0/0x10000
-A cali-tw-cali5c2e8d1a0b7 -m comment --comment "cali:Pq2sD9kF4hGz7W4" -j cali-pri-kns.kube-system
-A cali-tw-cali5c2e8d1a0b7 -m comment --comment "cali:Pq2sD9kF4hGz7W5" -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-cali5c2e8d1a0b7 -m comment --comment "cali:Pq2sD9kF4hGz7W6" -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-tw-calia41f3d96e02 -m comment --comment "cali:Xv6nB3mC8jRt1Y1" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A cali-tw-calia41f3d96e02 -m comment --comment "cali:Xv6nB3mC8jRt1Y2" -m conntrack --ctstate INVALID -j DROP
-A cali-tw-calia41f3d96e02 -m comment --comment "cali:Xv6nB3mC8jRt1Y3" -j MARK --set-xmark 0x0/0x10000
-A cali-tw-calia41f3d96e02 -m comment --comment "cali:Xv6nB3mC8jRt1Y4" -j cali-pri-kns.kube-system
-A cali-tw-calia41f3d96e02 -m comment --comment "cali:Xv6nB3mC8jRt1Y5" -m comment --comment "Return if profile accepted" -m mark --mark 0x10000/0x10000 -j RETURN
-A cali-tw-calia41f3d96e02 -m comment --comment "cali:Xv6nB3mC8jRt1Y6" -m comment --comment "Drop if no profiles matched" -j DROP
-A cali-wl-to-host -m comment --comment "cali:Ee9Sbo10IpVujdIY" -j cali-from-wl-dispatch
-A cali-wl-to-host -m comment --comment "cali:nSZbcOoG1xPONxb8" -m comment --comment "Configured DefaultEndpointToHostAction" -j ACCEPT
COMMIT
`;
