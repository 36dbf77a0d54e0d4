// The floor under loading a rules file, in a process of its own: read it and cut every line into
// words with ktrace's tokenizer, checking nothing. Every line must still be checked after this
// (iptables-restore refuses a whole file for one bad line), so no load can be faster.
// Prints two figures in milliseconds: reading the file into a string, and that plus the words.
//   node bench/read-floor.mjs FILE     (after npm run build)
import { tokenizeLine } from "../dist/engine/parse/tokenize.js";
import { nodeIo } from "../dist/sources/io.js";

const file = process.argv[2];
const t = performance.now();
const text = nodeIo.readFile(file);
const readMs = performance.now() - t;
let words = 0;
let at = 0;
for (let line = 1; at <= text.length; line++) {
  let end = text.indexOf("\n", at);
  if (end < 0) end = text.length;
  words += tokenizeLine(text.slice(at, end), file, line).length;
  at = end + 1;
}
const ms = performance.now() - t;
if (words === 0) throw new Error(`${file}: no words`);
console.log(readMs.toFixed(1), ms.toFixed(1));
