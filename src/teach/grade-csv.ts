/**
 * RFC 4180 CSV, read with the line each record starts on, and written back.
 *
 * Why: teachers' answer sheets come out of spreadsheets and forms: quoted fields, commas and
 * line breaks inside quotes, CRLF endings, a byte-order mark. A bad row must be reported by
 * its line in the file, so every record keeps the line it started on.
 */
export interface CsvRecord {
  /** 1-based line of the file where the record starts */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** Parses CSV text; an unterminated quote is a CsvError at the line where the field began. */
export function parseCsv(text: string): CsvRecord[] {
  const src = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const out: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = "";
      if (src[i] === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= src.length) throw new CsvError("a quoted field is never closed (a \" is missing)", quoteLine);
          const c = src[i]!;
          if (c === '"') {
            if (src[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === "\n") line++;
          field += c;
          i++;
        }
        // after the closing quote only a separator or the end of the record may follow
        if (i < src.length && src[i] !== "," && src[i] !== "\n" && src[i] !== "\r") {
          throw new CsvError(`text after a closing quote ("${src.slice(i, i + 10).split(/\r?\n/)[0]}"): quote the whole field and double any " inside it`, line);
        }
      } else {
        while (i < src.length && src[i] !== "," && src[i] !== "\n" && src[i] !== "\r") field += src[i++];
      }
      fields.push(field);
      if (src[i] === ",") {
        i++;
        continue;
      }
      break;
    }
    if (src[i] === "\r") i++;
    if (src[i] === "\n") {
      i++;
      line++;
    }
    // a blank line is no record
    if (!(fields.length === 1 && fields[0] === "")) out.push({ line: start, fields });
  }
  return out;
}

/** One CSV field, quoted when it needs to be. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(fields: string[]): string {
  return fields.map(csvField).join(",");
}
