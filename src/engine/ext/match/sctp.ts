/**
 * -m sctp: SCTP ports.
 *
 * Why: kube-proxy writes `-p sctp -m sctp --dport N` for SCTP Service ports. ktrace models the
 * ports, not SCTP chunks. Linux: xt_sctp.c.
 */
import { portMatch } from "../ports.js";

export default portMatch("sctp", 132, "SCTP ports (needs -p sctp)");
