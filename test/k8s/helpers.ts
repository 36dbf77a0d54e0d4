/**
 * Helpers for the Kubernetes source tests: generate from inline YAML, cut a ruleset into the lines
 * one Service produces, and round-trip text through the real kernel in a throwaway namespace.
 *
 * Why: "exactly what kube-proxy writes" is only worth something if it is checked against the
 * kernel's own iptables-save. Namespaces are named k8g-<pid>-<n> and always deleted again.
 */
import { spawnSync } from "node:child_process";
import { generateFromYaml, type K8sOptions } from "../../src/sources/k8s/index.js";

export const CI = process.env.CI === "true";

export function gen(yaml: string, opts: K8sOptions = {}): string {
  return generateFromYaml(yaml, "test.yaml", opts).rules;
}

/** The generated lines of a cluster with no Services beyond the given one(s): boilerplate removed. */
const EMPTY = new Set(
  gen("apiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: x}\nspec: {clusterIP: None, ports: [{port: 1}]}\n").split("\n"),
);
export function serviceLines(rules: string): string[] {
  return rules.split("\n").filter((l) => l !== "" && !l.startsWith("#") && !EMPTY.has(l));
}

export const withoutComments = (text: string) =>
  text
    .split("\n")
    .filter((l) => !l.startsWith("#"))
    .join("\n");

function run(cmd: string, args: string[], input?: string) {
  return spawnSync(cmd, args, { input, encoding: "utf8", timeout: 20_000 });
}

/** Why the kernel tests cannot run here, or undefined when they can. */
export function kernelMissing(): string | undefined {
  if (process.platform !== "linux") return "Linux";
  if (process.getuid?.() !== 0) return "root";
  for (const [cmd, args] of [
    ["ip", ["-V"]],
    ["iptables-restore", ["--version"]],
    ["iptables-save", ["--version"]],
  ] as const) {
    if (run(cmd, [...args]).status !== 0) return cmd;
  }
  return undefined;
}

let seq = 0;

/** iptables-restore the text into a fresh namespace and return iptables-save's output. */
export function kernelRoundTrip(text: string, ipsets: string[] = []): string {
  const ns = `k8g-${process.pid}-${++seq}`;
  const add = run("ip", ["netns", "add", ns]);
  if (add.status !== 0) throw new Error(`ip netns add ${ns}: ${add.stderr}`);
  try {
    for (const set of ipsets) {
      const r = run("ip", ["netns", "exec", ns, "ipset", "create", set, "hash:net"]);
      if (r.status !== 0) throw new Error(`ipset create ${set}: ${r.stderr}`);
    }
    const restore = run("ip", ["netns", "exec", ns, "iptables-restore"], text);
    if (restore.status !== 0) throw new Error(`iptables-restore failed: ${restore.stderr}`);
    const save = run("ip", ["netns", "exec", ns, "iptables-save"]);
    if (save.status !== 0) throw new Error(`iptables-save failed: ${save.stderr}`);
    return save.stdout;
  } finally {
    run("ip", ["netns", "del", ns]);
  }
}
