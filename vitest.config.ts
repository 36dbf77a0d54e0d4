import { defineConfig } from "vitest/config";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20000,
    hookTimeout: 60000,
    pool: "forks",
    // lesson progress goes to a scratch state directory, never the user's own
    env: { XDG_STATE_HOME: join(tmpdir(), `ktrace-test-state-${process.pid}`) },
  },
});
