/**
 * `ktrace-repl kernel …`: install or remove the Jupyter kernelspec, or run the kernel itself.
 *
 * Why: src/cli.ts stays a thin switch; everything the `kernel` subcommand accepts is parsed and
 * explained here, with errors naming the offending argument.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { installKernelSpec, KernelSpecError, packageRoot, uninstallKernelSpec, type SpecOptions } from "./kernelspec.js";

export const KERNEL_CLI_USAGE = `usage: ktrace-repl kernel install [--user | --sys-prefix | --prefix P] [--tslab] [--python PY]
       ktrace-repl kernel uninstall [--user | --sys-prefix | --prefix P] [--tslab] [--python PY]
       ktrace-repl kernel --connection-file FILE [--seed N]     (what Jupyter runs)

install writes the Jupyter kernelspec "ktrace" (kernel.json and logos) pointing at this installation;
--user (the default) puts it in your Jupyter data directory, --sys-prefix in the Python environment
that runs jupyter, --prefix P in P/share/jupyter/kernels. --tslab also installs tslab's TypeScript and
JavaScript kernels there (for the TypeScript notebooks). --python names the Python that has jupyter
(default: the one \`jupyter\` runs with).`;

export type KernelCli = { action: "install" | "uninstall"; spec: SpecOptions } | { action: "run"; argv: string[] } | { action: "help" };

export function parseKernelCli(argv: string[]): KernelCli {
  const first = argv[0];
  if (first === undefined || first === "-h" || first === "--help" || first === "help") return { action: "help" };
  if (first !== "install" && first !== "uninstall") {
    if (first.startsWith("-")) return { action: "run", argv };
    throw new KernelSpecError(`unknown kernel action "${first}" (install, uninstall, or --connection-file FILE)`);
  }
  const spec: SpecOptions = { where: { kind: "user" }, tslab: false };
  let placed: string | undefined;
  const place = (flag: string, where: SpecOptions["where"]) => {
    if (placed) throw new KernelSpecError(`${flag} and ${placed} cannot both be given: choose one place`);
    placed = flag;
    spec.where = where;
  };
  for (let i = 1; i < argv.length; i++) {
    const w = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new KernelSpecError(`${w} needs a value`);
      return v;
    };
    const eq = /^(--prefix|--python)=(.*)$/.exec(w);
    if (w === "--user") place(w, { kind: "user" });
    else if (w === "--sys-prefix") place(w, { kind: "sys-prefix" });
    else if (w === "--prefix" || eq?.[1] === "--prefix") place("--prefix", { kind: "prefix", path: eq ? eq[2]! : value() });
    else if (w === "--python" || eq?.[1] === "--python") spec.python = eq ? eq[2]! : value();
    else if (w === "--tslab") spec.tslab = true;
    else throw new KernelSpecError(`unknown argument "${w}" for kernel ${first}`);
  }
  return { action: first, spec };
}

/** Runs `ktrace-repl kernel …`; resolves to the exit status (a running kernel resolves once it is serving). */
export async function kernelCommand(argv: string[]): Promise<number> {
  let cmd: KernelCli;
  try {
    cmd = parseKernelCli(argv);
  } catch (e) {
    if (!(e instanceof KernelSpecError)) throw e;
    process.stderr.write(`ktrace-repl kernel: ${e.message}\n${KERNEL_CLI_USAGE}\n`);
    return 2;
  }
  if (cmd.action === "help") {
    process.stdout.write(KERNEL_CLI_USAGE + "\n");
    return 0;
  }
  if (cmd.action === "run") {
    // the unbundled build: the kernel starts its worker thread from a file beside it
    const entry = pathToFileURL(join(packageRoot(), "dist", "notebook", "kernel-main.js")).href;
    const { runKernel } = (await import(entry)) as { runKernel(argv: string[]): Promise<number> };
    return await runKernel(cmd.argv);
  }
  try {
    const lines = cmd.action === "install" ? installKernelSpec(cmd.spec) : uninstallKernelSpec(cmd.spec);
    for (const l of lines) process.stdout.write(l + "\n");
    const sandbox = join(packageRoot(), "notebooks", "sandbox.ipynb");
    // Jupyter looks in a --prefix only when told to (the user's and sys.prefix's places it always reads)
    const where = cmd.spec.where;
    const env = where.kind === "prefix" ? `JUPYTER_PATH=${join(where.path, "share", "jupyter")} ` : "";
    if (cmd.action === "install" && existsSync(sandbox)) process.stdout.write(`try it: ${env}jupyter notebook ${sandbox}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof KernelSpecError)) throw e;
    process.stderr.write(`ktrace-repl kernel ${cmd.action}: ${e.message}\n`);
    return 1;
  }
}
