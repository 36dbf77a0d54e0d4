/**
 * Finds the lessons shipped with ktrace and reads them, numbered by their file names
 * (`lessons/07-conntrack.md` is lesson 7).
 *
 * Why: `lessons`, `lesson N`, the notebooks and the lesson test all mean the same files; the
 * directory is found from this module's URL, so it works from src/ under vitest, from dist/ and
 * from the bundled dist/ktrace-repl.js alike.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseLesson, type Lesson } from "./parse.js";

export interface LessonFile {
  number: number;
  slug: string; // the file name without .md: "01-follow-the-curl"
  path: string;
}

/** The package's lessons/ directory: the first one found walking up from this module. */
export function lessonsDir(from: string = import.meta.url): string | undefined {
  let dir = dirname(fileURLToPath(from));
  for (let up = 0; up < 4; up++) {
    const candidate = join(dir, "lessons");
    if (existsSync(candidate) && readdirSync(candidate).some((f) => /^\d+-.*\.md$/.test(f))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

export function listLessons(dir = lessonsDir()): LessonFile[] {
  if (!dir) return [];
  return readdirSync(dir)
    .map((f) => /^(\d+)-.*\.md$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ number: Number(m[1]), slug: m[0].slice(0, -3), path: join(dir, m[0]) }))
    .sort((a, b) => a.number - b.number || a.slug.localeCompare(b.slug));
}

const cache = new Map<string, { text: string; lesson: Lesson }>();

/** Reads and parses a lesson (again only if the file changed); throws ParseError naming file:line. */
export function readLesson(f: LessonFile): Lesson {
  const text = readFileSync(f.path, "utf8");
  const hit = cache.get(f.path);
  if (hit && hit.text === text) return hit.lesson;
  const lesson = parseLesson(text, `lessons/${f.slug}.md`);
  cache.set(f.path, { text, lesson });
  return lesson;
}

/** "Lesson 3 — Conntrack" → "Conntrack": the title without its number, for lists. */
export function shortTitle(title: string): string {
  return title.replace(/^Lesson\s+\d+\s*[—–-]\s*/, "");
}
