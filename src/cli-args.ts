/**
 * Command-line arguments of ktrace-repl, parsed without I/O.
 *
 * Why: one place says what the binary accepts; errors name the offending argument.
 */
export interface CliArgs {
  command: "run" | "snapshot" | "help" | "version" | "kernel";
  source: { kind: "canned" | "rules" | "snapshot" | "live" | "k8s" | "scenario"; arg?: string };
  k8s: { clusterCidr?: string; nodeName?: string; nodeIp?: string; cni?: "calico" | "flannel" | "none" };
  format?: "xtables-monitor" | "explain" | "json";
  dialect?: "modern" | "article";
  seed: number;
  /** --seed was given (it then wins over a scenario's own seed) */
  seedGiven?: boolean;
  exprs: string[];
  output?: string;
  plain: boolean;
  /** `kernel …`: the words after it, parsed by src/notebook/kernel-cli.ts */
  kernelArgs?: string[];
}

export class CliError extends Error {}

export const USAGE = `usage: ktrace-repl [SOURCE] [--format xtables-monitor|explain|json] [--dialect modern|article] [--seed N] [-e CMD]...
       ktrace-repl snapshot [-o FILE]      write this host's netfilter state to a snapshot file (read-only, needs root)
       ktrace-repl exercise KIND --seed N [--solution]   print an exercise (the same text for the same seed)
       ktrace-repl check KIND --seed N --answer X        exit 0 when the answer is right, 1 when wrong, with feedback
       ktrace-repl grade ANSWERS.csv [--kind K] [--out RESULTS.csv]   grade a class (columns student,seed,answer[,kind])
       ktrace-repl kernel install [--user|--sys-prefix|--prefix P] [--tslab]   the Jupyter kernel (kernel --help)

SOURCE (default: --canned article):
  --canned NAME      a scenario shipped with ktrace (article)
  --scenario FILE    a scenario file (docs/scenarios.md), or a shipped one by name
                     (article, services, flannel-node)
  --rules FILE       an iptables-save file, on the article's node
  --snapshot FILE    a snapshot taken with "ktrace-repl snapshot"
  --live             this host, read-only (needs root)
  --k8s FILE         kube-proxy's rules for the Services/EndpointSlices in FILE (kubectl get svc,endpointslices -A -o yaml)
                     [--cluster-cidr CIDR] [--node-name NAME] [--node-ip IP] [--cni calico|flannel|none]

With -e, each CMD runs in order in one session and ktrace exits; errors go to stderr (exit 1).
When standard input is not a terminal, its lines are run the same way.
Otherwise an interactive REPL starts; type help there.`;

export function parseCliArgs(argv: string[]): CliArgs {
  const a: CliArgs = { command: "run", source: { kind: "canned", arg: "article" }, k8s: {}, seed: 1, exprs: [], plain: false };
  let sourceSet = false;
  const setSource = (kind: CliArgs["source"]["kind"], arg?: string) => {
    if (sourceSet) throw new CliError(`only one source may be given (--canned, --scenario, --rules, --snapshot, --live or --k8s)`);
    sourceSet = true;
    a.source = { kind, arg };
  };
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || (/^-[a-zA-Z-]/.test(v) && v !== "-")) throw new CliError(`${w} needs a value${v ? ` (got the option "${v}")` : ""}`);
      return v;
    };
    switch (w) {
      case "snapshot":
        if (i !== 0) throw new CliError(`"snapshot" must come first`);
        a.command = "snapshot";
        break;
      case "kernel":
        if (i !== 0) throw new CliError(`"kernel" must come first`);
        return { ...a, command: "kernel", kernelArgs: argv.slice(1) };
      case "-o":
      case "--output":
        a.output = value();
        break;
      case "--canned":
        setSource("canned", value());
        break;
      case "--scenario":
        setSource("scenario", value());
        break;
      case "--rules":
        setSource("rules", value());
        break;
      case "--snapshot":
        setSource("snapshot", value());
        break;
      case "--live":
        setSource("live");
        break;
      case "--k8s":
        setSource("k8s", value());
        break;
      case "--cluster-cidr":
        a.k8s.clusterCidr = value();
        break;
      case "--node-name":
        a.k8s.nodeName = value();
        break;
      case "--node-ip":
        a.k8s.nodeIp = value();
        break;
      case "--cni": {
        const v = value();
        if (v !== "calico" && v !== "flannel" && v !== "none") throw new CliError(`unknown --cni "${v}" (calico, flannel or none)`);
        a.k8s.cni = v;
        break;
      }
      case "--format": {
        const v = value();
        if (v !== "xtables-monitor" && v !== "explain" && v !== "json") throw new CliError(`unknown --format "${v}" (xtables-monitor, explain or json)`);
        a.format = v;
        break;
      }
      case "--dialect": {
        const v = value();
        if (v !== "modern" && v !== "article") throw new CliError(`unknown --dialect "${v}" (modern or article)`);
        a.dialect = v;
        break;
      }
      case "--seed": {
        const v = value();
        if (!/^\d+$/.test(v)) throw new CliError(`--seed needs a whole number, not "${v}"`);
        a.seed = Number(v);
        a.seedGiven = true;
        break;
      }
      case "-e":
      case "--eval":
        a.exprs.push(value());
        break;
      case "--plain":
        a.plain = true;
        break;
      case "-h":
      case "--help":
        a.command = "help";
        break;
      case "-V":
      case "--version":
        a.command = "version";
        break;
      default:
        throw new CliError(`unknown argument "${w}"`);
    }
  }
  return a;
}
