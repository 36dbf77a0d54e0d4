import { defineConfig } from "vitest/config";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20000,
    hookTimeout: 60000,
    pool: "forks",
    // the run fails if it leaves a new file in the checkout
    globalSetup: ["test/helpers/clean-checkout.ts"],
    // lesson progress goes to a scratch state directory, never the user's own
    env: { XDG_STATE_HOME: join(tmpdir(), `ktrace-test-state-${process.pid}`) },
  },
});
