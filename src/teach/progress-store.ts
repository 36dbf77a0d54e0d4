/**
 * A learner's progress through the lessons — the lesson they are on, the section, the
 * checkpoints passed — kept across sessions in `$XDG_STATE_HOME/ktrace/progress.json`
 * (default ~/.local/state/ktrace/progress.json).
 *
 * Why: a lesson is a few minutes long and a course is twelve of them; closing the terminal must
 * not lose the place. The file is written atomically (a temp file renamed over it), so a crash
 * mid-write leaves the old progress; a corrupt file is set aside with a warning and the learner
 * starts fresh rather than being locked out. The file system comes in as a small interface so
 * tests use a temp directory or a failing rename.
 */
import * as nodeFs from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export interface LessonProgress {
  /** The section the learner is on (1-based). */
  section: number;
  /** Sections whose checkpoint was answered right. */
  passed: number[];
  /** Reached the end of the last section. */
  finished?: boolean;
}

export interface Progress {
  version: 1;
  /** The lesson open last, by slug ("01-follow-the-curl"). */
  current?: string;
  lessons: Record<string, LessonProgress>;
}

export const emptyProgress = (): Progress => ({ version: 1, lessons: {} });

export interface ProgressStore {
  /** Where it lives, for messages. */
  readonly where: string;
  load(): { progress: Progress; warning?: string };
  save(p: Progress): void;
}

/** The part of node:fs the file store uses (a test can make rename fail). */
export type StoreFs = Pick<typeof nodeFs, "readFileSync" | "writeFileSync" | "renameSync" | "mkdirSync" | "existsSync" | "unlinkSync">;

/** `$XDG_STATE_HOME/ktrace/progress.json`; XDG says a relative value is to be ignored. */
export function defaultProgressPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && xdg.startsWith("/") ? xdg : join(home, ".local", "state");
  return join(base, "ktrace", "progress.json");
}

export class FileProgressStore implements ProgressStore {
  constructor(
    readonly where: string,
    private fs: StoreFs = nodeFs,
  ) {}

  load(): { progress: Progress; warning?: string } {
    if (!this.fs.existsSync(this.where)) return { progress: emptyProgress() };
    let text: string;
    try {
      text = this.fs.readFileSync(this.where, "utf8");
    } catch (e) {
      return { progress: emptyProgress(), warning: `could not read lesson progress ${this.where} (${(e as Error).message}); starting fresh` };
    }
    const why = invalidProgress(text);
    if (why === undefined) return { progress: JSON.parse(text) as Progress };
    const aside = `${this.where}.corrupt`;
    try {
      this.fs.renameSync(this.where, aside);
    } catch {
      return { progress: emptyProgress(), warning: `lesson progress ${this.where} is unreadable (${why}); starting fresh` };
    }
    return { progress: emptyProgress(), warning: `lesson progress ${this.where} is unreadable (${why}); starting fresh — the old file is kept as ${aside}` };
  }

  save(p: Progress): void {
    this.fs.mkdirSync(dirname(this.where), { recursive: true });
    const tmp = `${this.where}.${process.pid}.tmp`;
    this.fs.writeFileSync(tmp, JSON.stringify(p, null, 2) + "\n", { mode: 0o600 });
    try {
      // rename(2) replaces the file in one step: a reader sees the old progress or the new
      this.fs.renameSync(tmp, this.where);
    } catch (e) {
      try {
        this.fs.unlinkSync(tmp);
      } catch {
        /* already gone */
      }
      throw e;
    }
  }
}

/** For tests and notebooks that must not touch the learner's files. */
export class MemoryProgressStore implements ProgressStore {
  readonly where = "(memory)";
  constructor(private saved: Progress = emptyProgress()) {}
  load() {
    return { progress: structuredClone(this.saved) };
  }
  save(p: Progress) {
    this.saved = structuredClone(p);
  }
}

/** Why a progress file cannot be used, or undefined when it can. */
function invalidProgress(text: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  if (!v || typeof v !== "object") return "not an object";
  const p = v as Partial<Progress>;
  if (p.version !== 1) return `unknown version ${JSON.stringify(p.version)}`;
  if (!p.lessons || typeof p.lessons !== "object") return "no lessons";
  if (p.current !== undefined && typeof p.current !== "string") return "current is not a lesson name";
  for (const [slug, l] of Object.entries(p.lessons)) {
    if (!l || typeof l !== "object") return `${slug}: not an object`;
    if (!Number.isInteger(l.section) || l.section < 1) return `${slug}: bad section ${JSON.stringify(l.section)}`;
    if (!Array.isArray(l.passed) || !l.passed.every((n) => Number.isInteger(n))) return `${slug}: bad passed list`;
  }
  return undefined;
}
