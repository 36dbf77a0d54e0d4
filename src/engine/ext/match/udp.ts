/**
 * -m udp: source/destination ports.
 *
 * Why: DNS Services (kube-dns on 53/udp) and VXLAN are udp; kube-proxy writes `-p udp -m udp`.
 * Linux: xt_tcpudp.c udp_mt — a non-first fragment never matches.
 */
import { portMatch } from "../ports.js";

export default portMatch("udp", 17, "UDP ports (needs -p udp)");
