/**
 * Colour in the REPL: on unless NO_COLOR is set or the terminal is dumb.
 *
 * Why: colour carries meaning here (matched, missed, fate, error), so whether to use it is
 * decided in one place. What colour a line gets is decided by the renderer of the command's
 * typed result (src/format/rich/walk-ansi.ts, diagram-ascii.ts), never by reading the text.
 */
export const colorEnabled = () => !("NO_COLOR" in process.env) && process.env.TERM !== "dumb";
