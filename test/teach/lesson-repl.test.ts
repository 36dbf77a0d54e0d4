// Lesson mode in the ink REPL (ink-testing-library, NO_COLOR): PageDown and PageUp turn a
// lesson's sections when a lesson is open, do nothing when none is, and `next` stays the
// stepping command.
import { afterEach, describe, expect, it } from "vitest";
import { articleSession } from "../helpers/session.js";
import { startApp } from "../helpers/repl.js";
import { LessonMode } from "../../src/teach/lesson-mode.js";
import { MemoryProgressStore } from "../../src/teach/progress-store.js";
import { PLAIN } from "../../src/format/markdown.js";
import { listLessons, readLesson } from "../../src/lessons/library.js";

process.env.NO_COLOR = "1";
const PAGE_DOWN = "\u001b[6~";
const PAGE_UP = "\u001b[5~";
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

const lesson1 = readLesson(listLessons().find((f) => f.number === 1)!);

async function start() {
  const s = articleSession(1);
  s.stepByStep = true;
  s.lessons = new LessonMode(new MemoryProgressStore(), PLAIN);
  const app = await startApp(s, 40);
  cleanup = app.unmount;
  return app;
}

describe("lesson mode in the REPL", () => {
  it("PageDown and PageUp run lesson next / lesson prev while a lesson is open", async () => {
    const { s, r, type, all } = await start();
    await type("lesson 1\r");
    expect(all()).toContain(`1. ${lesson1.sections[0]!.title} (section 1 of`);
    await type(PAGE_DOWN);
    expect(all()).toContain("ktrace› lesson next");
    expect(all()).toContain(`2. ${lesson1.sections[1]!.title} (section 2 of`);
    expect(s.lessons!.open!.section).toBe(2);
    await type(PAGE_UP);
    expect(all()).toContain("ktrace› lesson prev");
    expect(s.lessons!.open!.section).toBe(1);
    // the prompt is still empty: the keys did not leak into the line
    expect(r.lastFrame()).toMatch(/ktrace› *$/m);
  });

  it("without a lesson PageDown does nothing, and next still steps a packet", async () => {
    const { s, type, all } = await start();
    await type(PAGE_DOWN);
    expect(all()).not.toContain("lesson next");
    await type("send tcp 192.168.1.88:49058 -> 10.43.156.98:9898\r");
    await type("next\r");
    expect(all()).not.toContain("no lesson is open");
    expect(s.stepper!.pos).toBeGreaterThan(0);
  });

  it("a checkpoint answered in the REPL", async () => {
    const { type, all } = await start();
    await type("lesson 1\r");
    await type("answer enp3s0\r");
    expect(all()).toContain("✓ Right: enp3s0.");
    expect(all()).toContain("checkpoint passed (1 of");
  });
});
