// The lesson notebooks are generated from lessons/*.md: regenerated here in memory, they must be
// byte for byte what notebooks/ holds — one per lesson, none left over — and each must carry
// every command, expected line and checkpoint question of its lesson.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { generatedNotebooks, lessonNotebook, lessonNotebooks } from "../../src/api-lesson-notebook.js";
import { parseLesson } from "../../src/lessons/parse.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const lessonsDir = join(root, "lessons");
const notebooksDir = join(root, "notebooks");
const FIX = "regenerate them with: npm run notebooks";

interface Nb {
  cells: { cell_type: string; source: string[] }[];
  metadata: { kernelspec: { name: string } };
}

describe("lesson notebooks are in step with lessons/", () => {
  const want = lessonNotebooks(lessonsDir);

  it("one notebook per lesson, each identical to its regenerated form", () => {
    expect(want.size).toBeGreaterThan(0);
    const stale: string[] = [];
    for (const [name, text] of want) {
      const path = join(notebooksDir, name);
      if (!existsSync(path)) stale.push(`notebooks/${name} is missing`);
      else if (readFileSync(path, "utf8") !== text) stale.push(`notebooks/${name} differs from lessons/${name.replace(/\.ipynb$/, ".md")}`);
    }
    expect(stale, `${stale.join("\n")}\n${FIX}`).toEqual([]);
  });

  it("no generated notebook outlives its lesson", () => {
    const orphans = generatedNotebooks(notebooksDir).filter((n) => !want.has(n));
    expect(orphans, `${orphans.join(", ")} have no lesson; ${FIX}`).toEqual([]);
  });

  it("carry every command, expected line and checkpoint of the lesson, in order, for the ktrace kernel", () => {
    for (const [name, text] of want) {
      const md = readFileSync(join(lessonsDir, name.replace(/\.ipynb$/, ".md")), "utf8");
      const lesson = parseLesson(md, name);
      const nb = JSON.parse(text) as Nb;
      expect(nb.metadata.kernelspec.name).toBe("ktrace");
      const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => c.source.join(""));
      const all = nb.cells.map((c) => c.source.join("")).join("\n");
      // the commands run in the lesson's order, each block one cell
      const commandCells = code.filter((c) => !c.startsWith("#"));
      expect(commandCells).toEqual(lesson.steps.map((st) => st.commands.join("\n")));
      // the first cell opens the lesson (lesson mode runs its setup)
      expect(code[0]!.split("\n").pop()).toBe(`lesson ${Number(name.slice(0, 2))} 1`);
      for (const sec of lesson.sections) {
        expect(all).toContain(`## ${sec.index}. ${sec.title}`);
        for (const st of sec.steps) for (const line of st.expect) expect(all).toContain(line);
        if (sec.checkpoint) expect(all).toContain(sec.checkpoint.question);
      }
      // lesson mode moves with the learner: one `lesson next` per later section (asking its
      // checkpoint before the section's commands run), and one to close the lesson
      const moves = code.filter((c) => c.endsWith("\nlesson next")).length;
      expect(moves).toBe(lesson.sections.length);
      for (const sec of lesson.sections.slice(1)) {
        const move = code.findIndex((c) => c.includes(`lesson mode, section ${sec.index}`));
        const firstCmd = sec.steps[0] ? code.indexOf(sec.steps[0].commands.join("\n"), move) : -1;
        expect(move, `${name} section ${sec.index}`).toBeGreaterThan(0);
        if (firstCmd >= 0) expect(firstCmd).toBeGreaterThan(move);
      }
    }
  });

  it("a changed lesson gives a changed notebook (the check can fail)", () => {
    const [name, text] = [...want][0]!;
    const md = readFileSync(join(lessonsDir, name.replace(/\.ipynb$/, ".md")), "utf8");
    const changed = md.replace(/^(## .*)$/m, "$1 (edited)");
    expect(changed).not.toBe(md);
    expect(lessonNotebook(changed, `lessons/${name.replace(/\.ipynb$/, ".md")}`)).not.toBe(text);
  });
});
