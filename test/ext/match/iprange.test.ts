// -m iprange vectors: inclusive address ranges compared as host-order numbers (kernel:
// xt_iprange.c iprange_mt4 — m = addr < min || addr > max, then ^ invert).
import { describe } from "vitest";
import { vectors } from "../../helpers/ext-vectors.js";

const IN = "tcp 192.168.1.20:5000 -> 192.168.1.88:22 in enp3s0";

describe("-m iprange", () => {
  vectors([
    { name: "source inside the range", chain: "INPUT", rule: "-m iprange --src-range 192.168.1.10-192.168.1.30 -j ACCEPT", packet: IN, expect: "match" },
    { name: "the range's first address is in it", chain: "INPUT", rule: "-m iprange --src-range 192.168.1.20-192.168.1.30 -j ACCEPT", packet: IN, expect: "match" },
    { name: "the range's last address is in it", chain: "INPUT", rule: "-m iprange --src-range 192.168.1.10-192.168.1.20 -j ACCEPT", packet: IN, expect: "match" },
    { name: "one below the range misses", chain: "INPUT", rule: "-m iprange --src-range 192.168.1.21-192.168.1.30 -j ACCEPT", packet: IN,
      expect: { fail: "-m iprange --src-range 192.168.1.21-192.168.1.30", why: "src is 192.168.1.20" } },
    { name: "one above the range misses", chain: "INPUT", rule: "-m iprange --src-range 192.168.1.10-192.168.1.19 -j ACCEPT", packet: IN,
      expect: { fail: "-m iprange --src-range 192.168.1.10-192.168.1.19" } },
    { name: "a one-address range", chain: "INPUT", rule: "-m iprange --src-range 192.168.1.20-192.168.1.20 -j ACCEPT", packet: IN, expect: "match" },
    { name: "ranges compare unsigned: 10.0.0.0-200.0.0.0 holds 192.168.1.20", chain: "INPUT", rule: "-m iprange --src-range 10.0.0.0-200.0.0.0 -j ACCEPT", packet: IN, expect: "match" },
    { name: "the whole space 0.0.0.0-255.255.255.255", chain: "INPUT", rule: "-m iprange --dst-range 0.0.0.0-255.255.255.255 -j ACCEPT", packet: IN, expect: "match" },
    { name: "a reversed range holds nothing", chain: "INPUT", rule: "-m iprange --src-range 192.168.1.30-192.168.1.10 -j ACCEPT", packet: IN,
      expect: { fail: "-m iprange --src-range 192.168.1.30-192.168.1.10" } },
    { name: "a reversed range negated holds everything", chain: "INPUT", rule: "-m iprange ! --src-range 192.168.1.30-192.168.1.10 -j ACCEPT", packet: IN, expect: "match" },
    { name: "destination range", chain: "INPUT", rule: "-m iprange --dst-range 192.168.1.80-192.168.1.90 -j ACCEPT", packet: IN, expect: "match" },
    { name: "destination outside", chain: "INPUT", rule: "-m iprange --dst-range 192.168.1.89-192.168.1.90 -j ACCEPT", packet: IN,
      expect: { fail: "-m iprange --dst-range 192.168.1.89-192.168.1.90", why: "dst is 192.168.1.88" } },
    { name: "negated source: inside misses", chain: "INPUT", rule: "-m iprange ! --src-range 192.168.1.10-192.168.1.30 -j ACCEPT", packet: IN,
      expect: { fail: "-m iprange ! --src-range 192.168.1.10-192.168.1.30", why: "src is 192.168.1.20" } },
    { name: "negated source: outside matches", chain: "INPUT", rule: "-m iprange ! --src-range 10.0.0.1-10.0.0.9 -j ACCEPT", packet: IN, expect: "match" },
    { name: "both given: both must hold (destination misses)", chain: "INPUT", rule: "-m iprange --src-range 192.168.1.0-192.168.1.255 --dst-range 10.0.0.0-10.255.255.255 -j ACCEPT", packet: IN,
      expect: { fail: "-m iprange --dst-range 10.0.0.0-10.255.255.255" } },
    { name: "both given, both hold", chain: "INPUT", rule: "-m iprange --src-range 192.168.1.0-192.168.1.255 ! --dst-range 10.0.0.0-10.255.255.255 -j ACCEPT", packet: IN, expect: "match" },
    { name: "any hook: OUTPUT", chain: "OUTPUT", rule: "-m iprange --dst-range 192.168.1.1-192.168.1.254 -j ACCEPT", packet: "tcp 192.168.1.88:40000 -> 192.168.1.20:80", expect: "match" },
  ]);
});
