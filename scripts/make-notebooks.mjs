// Writes notebooks/NN-slug.ipynb from every lessons/NN-slug.md, and removes the generated
// notebook of a lesson that no longer exists. `--check` changes nothing and exits 1 if any
// notebook differs from its lesson.
// Why: a lesson is written once, in lessons/; its notebook is derived from it (see
// src/api-lesson-notebook.ts), and test/notebook/in-step.test.ts fails when they drift.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = join(root, "dist/api-lesson-notebook.js");
if (!existsSync(built)) {
  console.error("make-notebooks: dist/ is not built — run npm run build first (npm run notebooks does both)");
  process.exit(2);
}
const { lessonNotebooks, generatedNotebooks } = await import(built);
const check = process.argv.includes("--check");
const dir = join(root, "notebooks");
const want = lessonNotebooks(join(root, "lessons"));
let differ = 0;
for (const [name, text] of want) {
  const path = join(dir, name);
  const have = existsSync(path) ? readFileSync(path, "utf8") : undefined;
  if (have === text) continue;
  differ++;
  if (check) console.error(`notebooks/${name} ${have === undefined ? "is missing" : "differs from its lesson"}`);
  else {
    writeFileSync(path, text);
    console.log(`wrote notebooks/${name}`);
  }
}
for (const name of generatedNotebooks(dir)) {
  if (want.has(name)) continue;
  differ++;
  if (check) console.error(`notebooks/${name} has no lesson any more`);
  else {
    rmSync(join(dir, name));
    console.log(`removed notebooks/${name} (its lesson is gone)`);
  }
}
if (check && differ) {
  console.error("run: npm run notebooks");
  process.exit(1);
}
if (!check) console.log(`${want.size} lesson notebooks ${differ ? "updated" : "already up to date"}`);
