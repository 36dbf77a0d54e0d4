// Starts the ink REPL on a session with ink-testing-library, for tests that type into it.
import React from "react";
import { render } from "ink-testing-library";
import { App } from "../../src/repl/app.js";
import type { Session } from "../../src/lang/session.js";

/** Renders the app (history off), waits for its first frame; `type` writes keys and waits. */
export async function startApp(s: Session, settleMs = 30) {
  const tick = () => new Promise((r) => setTimeout(r, settleMs));
  const r = render(React.createElement(App, { session: s, history: [], persistHistory: false }));
  await tick();
  const type = async (text: string) => {
    r.stdin.write(text);
    await tick();
  };
  return { s, r, type, all: () => r.frames.join("\n"), unmount: r.unmount };
}
