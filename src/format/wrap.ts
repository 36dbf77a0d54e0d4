/**
 * Breaks a line of prose at spaces so that it fits a terminal of a given width.
 *
 * Why: most of what ktrace prints is laid out by marked-terminal or is a table, but a few
 * sentences are built in code (a lesson's footer, its notes); a terminal would break those in
 * the middle of a word, and a wrapped footer reads as two separate lines.
 */

/** `text` in lines of at most `width` characters, broken at spaces (a longer word stays whole). */
export function wrapWords(text: string, width: number): string {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    let rest = line;
    while ([...rest].length > width) {
      // the last space that fits, or, after a word longer than the width, the space that ends it
      let cut = rest.lastIndexOf(" ", width);
      if (cut <= 0) cut = rest.indexOf(" ", width);
      if (cut <= 0) break;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut + 1);
    }
    out.push(rest);
  }
  return out.join("\n");
}
