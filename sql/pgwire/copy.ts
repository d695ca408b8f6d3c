/**
 * COPY's text and CSV formats, as pure streaming parsers and row formatters.
 * pgwire only frames COPY (CopyInResponse, CopyData…); the engine decides
 * what a COPY means and uses these to read and write its rows. Fields are
 * strings in the column's text form (see the codecs) or null for SQL NULL.
 *
 * Text format: one row per line, fields split by the delimiter (tab), NULL
 * spelled `\N`, and backslash escapes: \b \f \n \r \t \v \\, \ooo octal,
 * \xhh hex, and a backslash before any other character stands for that
 * character. CSV: fields split by the delimiter (comma), quoted with `"`
 * when needed (a quote inside is doubled, or preceded by the escape
 * character when that differs), an unquoted empty field is NULL, quoted
 * fields may span lines, an optional header line. In both, a line holding
 * only `\.` ends the data, and lines end in \n or \r\n.
 */
import { SqlError } from './errors.ts';
import { copyFieldsMax, copyRowBytesMax } from './limits.ts';
import { checkUtf8 } from './reader.ts';
import { badCopyFileFormat, programLimitExceeded } from './sqlstate.ts';

/** A row as COPY sees it: each field the column's text form, or null. */
export type CopyRow = (string | null)[];

export interface CopyTextOptions {
  /** One ASCII character; a tab by default. */
  readonly delimiter?: string;
  /** The NULL marker; `\N` by default. */
  readonly null?: string;
}

export interface CopyCsvOptions {
  /** One ASCII character; a comma by default. */
  readonly delimiter?: string;
  /** One ASCII character; `"` by default. */
  readonly quote?: string;
  /** One ASCII character; the quote character by default. */
  readonly escape?: string;
  /** The NULL marker; the empty string by default. */
  readonly null?: string;
  /** Input: skip the first line. */
  readonly header?: boolean;
  /** Output: quote every non-NULL field. */
  readonly forceQuote?: boolean;
}

const backslash = 0x5c;
const newline = 0x0a;
const carriageReturn = 0x0d;
const endMarker = Buffer.from('\\.');

function asciiByte(option: string | undefined, fallback: string, name: string): number {
  const c = option ?? fallback;
  if (c.length !== 1 || c.charCodeAt(0) > 0x7f) {
    throw new SqlError(badCopyFileFormat, `COPY ${name} must be a single one-byte character`);
  }
  return c.charCodeAt(0);
}

function tooLong(): SqlError {
  return new SqlError(programLimitExceeded, `COPY row exceeds ${copyRowBytesMax} bytes`);
}

function decodeField(bytes: Buffer): string {
  checkUtf8(bytes, 0, bytes.length);
  return bytes.toString('utf8');
}

/** Escape letters of the text format and the bytes they stand for. */
const textEscapes: ReadonlyMap<number, number> = new Map([
  [0x62, 0x08], [0x66, 0x0c], [0x6e, 0x0a], [0x72, 0x0d], [0x74, 0x09], [0x76, 0x0b],
]);

function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Shared line splitting: accumulates chunks, yields complete lines, stops at `\.`. */
abstract class CopyParserBase {
  #pending: Buffer = Buffer.alloc(0);
  #scanFrom = 0;
  #ended = false;
  #lines = 0;

  /** True once the `\.` end marker was seen; later data is ignored. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Feeds a chunk (split anywhere, even inside a character); returns the rows it completed. */
  push(chunk: Uint8Array): CopyRow[] {
    if (this.#ended) return [];
    this.#pending = this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    const rows: CopyRow[] = [];
    for (;;) {
      const end = this.findRowEnd(this.#pending, this.#scanFrom);
      if (end < 0) {
        if (this.#pending.length > copyRowBytesMax) throw tooLong();
        this.#scanFrom = this.#pending.length;
        return rows;
      }
      const line = this.#pending.subarray(0, end);
      this.#pending = this.#pending.subarray(end + 1);
      this.#scanFrom = 0;
      if (this.#acceptLine(line, rows)) return rows;
    }
  }

  /** Ends the input; a last line without a newline still counts. */
  end(): CopyRow[] {
    const rows: CopyRow[] = [];
    if (!this.#ended && this.#pending.length > 0) {
      this.resetRowScan();
      this.#acceptLine(this.#pending, rows);
    }
    this.#pending = Buffer.alloc(0);
    this.#ended = true;
    return rows;
  }

  /** Handles one line; true when it was the end marker. */
  #acceptLine(raw: Buffer, rows: CopyRow[]): boolean {
    const line = raw.length > 0 && raw[raw.length - 1] === carriageReturn ? raw.subarray(0, raw.length - 1) : raw;
    this.resetRowScan();
    if (line.equals(endMarker)) {
      this.#ended = true;
      this.#pending = Buffer.alloc(0);
      return true;
    }
    this.#lines++;
    if (this.#lines === 1 && this.skipFirstLine()) return false;
    rows.push(this.parseLine(line));
    return false;
  }

  /** Index of the newline ending the row that starts at 0, scanning from `from`; -1 if none yet. */
  protected abstract findRowEnd(pending: Buffer, from: number): number;
  /** Forgets scanning state carried across chunks (a row was taken). */
  protected abstract resetRowScan(): void;
  protected abstract skipFirstLine(): boolean;
  protected abstract parseLine(line: Buffer): CopyRow;
}

/** Streaming parser of COPY text format. */
export class CopyTextParser extends CopyParserBase {
  readonly #delimiter: number;
  readonly #null: Buffer;

  constructor(options: CopyTextOptions = {}) {
    super();
    this.#delimiter = asciiByte(options.delimiter, '\t', 'delimiter');
    this.#null = Buffer.from(options.null ?? '\\N', 'utf8');
  }

  protected findRowEnd(pending: Buffer, from: number): number {
    return pending.indexOf(newline, from);
  }

  protected resetRowScan(): void {}

  protected skipFirstLine(): boolean {
    return false;
  }

  protected parseLine(line: Buffer): CopyRow {
    const fields: CopyRow = [];
    const out = Buffer.allocUnsafe(line.length);
    let start = 0;
    let n = 0;
    let i = 0;
    for (;;) {
      const c = line[i];
      if (c === undefined || c === this.#delimiter) {
        fields.push(line.subarray(start, i).equals(this.#null) ? null : decodeField(out.subarray(0, n)));
        if (fields.length > copyFieldsMax) throw new SqlError(programLimitExceeded, `COPY row has more than ${copyFieldsMax} fields`);
        if (c === undefined) return fields;
        start = ++i;
        n = 0;
        continue;
      }
      if (c !== backslash) {
        out[n++] = c;
        i++;
        continue;
      }
      i = this.#unescape(line, i + 1, out, n);
      n = this.#lastLength;
    }
  }

  #lastLength = 0;

  /** Decodes the escape after a backslash at `at`; returns the index after it (length in #lastLength). */
  #unescape(line: Buffer, at: number, out: Buffer, n: number): number {
    const e = line[at];
    if (e === undefined) throw new SqlError(badCopyFileFormat, 'end-of-copy marker corrupt');
    const mapped = textEscapes.get(e);
    if (mapped !== undefined) {
      out[n] = mapped;
      this.#lastLength = n + 1;
      return at + 1;
    }
    if (e >= 0x30 && e <= 0x37) {
      let value = e - 0x30;
      let i = at + 1;
      for (let k = 0; k < 2 && line[i] !== undefined && line[i]! >= 0x30 && line[i]! <= 0x37; k++) value = value * 8 + line[i++]! - 0x30;
      out[n] = value & 0xff;
      this.#lastLength = n + 1;
      return i;
    }
    if (e === 0x78 && hexDigit(line[at + 1]) >= 0) {
      let value = hexDigit(line[at + 1]);
      let i = at + 2;
      if (hexDigit(line[i]) >= 0) value = value * 16 + hexDigit(line[i++]);
      out[n] = value;
      this.#lastLength = n + 1;
      return i;
    }
    out[n] = e;
    this.#lastLength = n + 1;
    return at + 1;
  }
}

/** Streaming parser of COPY CSV format. */
export class CopyCsvParser extends CopyParserBase {
  readonly #delimiter: number;
  readonly #quote: number;
  readonly #escape: number;
  readonly #null: Buffer;
  readonly #header: boolean;
  #inQuote = false;

  constructor(options: CopyCsvOptions = {}) {
    super();
    this.#delimiter = asciiByte(options.delimiter, ',', 'delimiter');
    this.#quote = asciiByte(options.quote, '"', 'quote');
    this.#escape = asciiByte(options.escape, options.quote ?? '"', 'escape');
    this.#null = Buffer.from(options.null ?? '', 'utf8');
    this.#header = options.header ?? false;
  }

  protected findRowEnd(pending: Buffer, from: number): number {
    for (let i = from; i < pending.length; i++) {
      const c = pending[i]!;
      if (this.#inQuote) {
        if (c === this.#escape && this.#escape !== this.#quote && i + 1 < pending.length) i++;
        else if (c === this.#quote) this.#inQuote = false;
      } else if (c === this.#quote) {
        this.#inQuote = true;
      } else if (c === newline) {
        return i;
      }
    }
    return -1;
  }

  protected resetRowScan(): void {
    this.#inQuote = false;
  }

  protected skipFirstLine(): boolean {
    return this.#header;
  }

  protected parseLine(line: Buffer): CopyRow {
    const fields: CopyRow = [];
    const out = Buffer.allocUnsafe(line.length);
    let i = 0;
    for (;;) {
      const start = i;
      let n = 0;
      let quoted = false;
      let inQuote = false;
      for (; i < line.length; i++) {
        const c = line[i]!;
        if (inQuote) {
          if (c === this.#escape && line[i + 1] === this.#quote) out[n++] = line[++i]!;
          else if (c === this.#escape && this.#escape !== this.#quote && line[i + 1] === this.#escape) out[n++] = line[++i]!;
          else if (c === this.#quote) inQuote = false;
          else out[n++] = c;
        } else if (c === this.#delimiter) {
          break;
        } else if (c === this.#quote) {
          inQuote = true;
          quoted = true;
        } else {
          out[n++] = c;
        }
      }
      if (inQuote) throw new SqlError(badCopyFileFormat, 'unterminated CSV quoted field');
      const raw = line.subarray(start, i);
      fields.push(!quoted && raw.equals(this.#null) ? null : decodeField(out.subarray(0, n)));
      if (fields.length > copyFieldsMax) throw new SqlError(programLimitExceeded, `COPY row has more than ${copyFieldsMax} fields`);
      if (i >= line.length) return fields;
      i++; // the delimiter
    }
  }
}

const textEscapeOut: Record<string, string> = {
  '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v',
};

/** One row in COPY text format, newline included. */
export function formatCopyTextRow(fields: readonly (string | null)[], options: CopyTextOptions = {}): string {
  const delimiter = String.fromCharCode(asciiByte(options.delimiter, '\t', 'delimiter'));
  const nullMarker = options.null ?? '\\N';
  const special = new RegExp(`[\\\\\\n\\r\\t\\b\\f\\v${delimiter.replace(/[\]\\^-]/g, '\\$&')}]`, 'g');
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) out += delimiter;
    const f = fields[i];
    out += f === null || f === undefined ? nullMarker : f.replace(special, (c) => textEscapeOut[c] ?? `\\${c}`);
  }
  return out + '\n';
}

/** One row in COPY CSV format, newline included (use it for the header line too). */
export function formatCopyCsvRow(fields: readonly (string | null)[], options: CopyCsvOptions = {}): string {
  const delimiter = String.fromCharCode(asciiByte(options.delimiter, ',', 'delimiter'));
  const quote = String.fromCharCode(asciiByte(options.quote, '"', 'quote'));
  const escape = String.fromCharCode(asciiByte(options.escape, quote, 'escape'));
  const nullMarker = options.null ?? '';
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) out += delimiter;
    const f = fields[i];
    if (f === null || f === undefined) {
      out += nullMarker;
      continue;
    }
    const mustQuote =
      options.forceQuote === true || f === nullMarker || f === '\\.' || f.includes(delimiter) || f.includes(quote) ||
      f.includes('\n') || f.includes('\r') || (escape !== quote && f.includes(escape));
    if (!mustQuote) {
      out += f;
      continue;
    }
    let body = '';
    for (const c of f) body += c === quote || (c === escape && escape !== quote) ? escape + c : c;
    out += quote + body + quote;
  }
  return out + '\n';
}
