// Errors as fields: runLine returns the message, the column of the offending word and the hint
// separately (front ends place them themselves) while the one-line text stays what it was; the
// script runner builds -e:LINE:COL from the fields.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { articleSession } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";
import { failureText } from "../../src/lang/command.js";

const CLI = fileURLToPath(new URL("../../dist/ktrace-repl.js", import.meta.url));

describe("structured errors", () => {
  it("a word that is wrong: message, column and hint as fields, the text as before", () => {
    const r = runLine(articleSession(), "show chain nat KUBE-SVC-Y4T5");
    expect(r.failure).toEqual({ message: "unknown chain KUBE-SVC-Y4T5 in nat", col: 16, hint: "did you mean KUBE-SVC-Y4T5L63IYP3YFEBS?" });
    expect(r.error).toBe("column 16: unknown chain KUBE-SVC-Y4T5 in nat");
    expect(r.hint).toBe("did you mean KUBE-SVC-Y4T5L63IYP3YFEBS?");
    expect(r.text).toBe("");
  });

  it("an unknown command points at column 1", () => {
    const r = runLine(articleSession(), "shwo state");
    expect(r.failure).toEqual({ message: 'unknown command "shwo"', col: 1, hint: "did you mean show?" });
    expect(r.error).toBe(failureText(r.failure!));
  });

  it("an error about the session, not a word: no column", () => {
    const r = runLine(articleSession(), "reply");
    expect(r.failure?.col).toBeUndefined();
    expect(r.failure?.message).toBe("nothing sent yet");
    expect(r.error).toBe("nothing sent yet");
  });

  it("iptables' own errors keep their column", () => {
    const r = runLine(articleSession(), "iptables -A FORWARD -j NOPE");
    expect(r.failure).toMatchObject({ message: "Chain 'NOPE' does not exist in table filter", col: 24 });
    expect(r.error).toBe("column 24: Chain 'NOPE' does not exist in table filter");
  });

  it("the script runner places the column from the fields: -e:LINE:COL", () => {
    const r = spawnSync(process.execPath, [CLI, "-e", "send tcp 192.168.1.88:49058 -> 10.43.156.98:9898", "-e", "show chain nat KUBE-SVC-Y4T5", "-e", "reply flags XYZ"], { encoding: "utf8" });
    expect(r.stderr).toBe(
      "ktrace: -e:2:16: unknown chain KUBE-SVC-Y4T5 in nat (did you mean KUBE-SVC-Y4T5L63IYP3YFEBS?)\n" +
        'ktrace: -e:3:13: unknown TCP flag "XYZ" (flags are SYN, ACK, FIN, RST, PSH, URG (comma separated))\n',
    );
    expect(r.status).toBe(1);
  });
});
