/**
 * The codec contract: one codec per type OID turns a JS value into the
 * type's text or binary wire form (written straight into the output buffer)
 * and parses either form back. Each codec documents the JS values it takes
 * and gives; the shapes match sql/encoding's datum payloads (int8 as bigint,
 * timestamps as µs since 2000-01-01, numeric as coefficient × 10^-scale), so
 * the engine passes datum payloads through unchanged.
 *
 * One rule holds for every type: a JS string is the value's text form.
 * Written as text it is copied verbatim; written as binary it is parsed
 * first. So an engine may always hand over pre-formatted text.
 */
import { SqlError } from '../errors.ts';
import { invalidBinaryRepresentation, invalidTextRepresentation, numericValueOutOfRange } from '../sqlstate.ts';
import type { BufferWriter } from '../writer.ts';
import type { Oid } from './oids.ts';

export interface Codec<T = unknown> {
  readonly oid: Oid;
  /** pg_type.typname, used in error messages. */
  readonly name: string;
  /** pg_type.typlen: bytes of the binary form, -1 variable, -2 C string. */
  readonly typeSize: number;
  /** Writes the text form of `value` as UTF-8 (no length word). */
  writeText(w: BufferWriter, value: T): void;
  /** Writes the binary form of `value` (no length word). */
  writeBinary(w: BufferWriter, value: T): void;
  /** Parses the text form; throws `SqlError` 22P02 (or 22003, 22008…) on bad input. */
  parseText(text: string): T;
  /** Parses the binary form (a view: copy what you keep); throws `SqlError` 22P03 on bad input. */
  parseBinary(bytes: Buffer): T;
}

/** Writes `value`'s text form; a string is taken as already formatted. */
export function writeTextValue<T>(codec: Codec<T>, w: BufferWriter, value: T | string): void {
  if (typeof value === 'string') w.utf8(value);
  else codec.writeText(w, value);
}

/** Writes `value`'s binary form; a string is parsed as the text form first. */
export function writeBinaryValue<T>(codec: Codec<T>, w: BufferWriter, value: T | string): void {
  codec.writeBinary(w, typeof value === 'string' ? codec.parseText(value) : value);
}

/** 22P02 `invalid input syntax for type <name>: "<text>"`. */
export function invalidText(typeName: string, text: string): SqlError {
  return new SqlError(invalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
}

/** 22P03 for a malformed binary value. */
export function invalidBinary(typeName: string, reason: string): SqlError {
  return new SqlError(invalidBinaryRepresentation, `incorrect binary data format for type ${typeName}: ${reason}`);
}

/** 22003 `value "<text>" is out of range for type <name>`. */
export function outOfRange(typeName: string, text: string): SqlError {
  return new SqlError(numericValueOutOfRange, `value "${text}" is out of range for type ${typeName}`);
}

/** Fails with 22P03 unless a binary value has exactly `size` bytes. */
export function expectBinarySize(typeName: string, bytes: Buffer, size: number): void {
  if (bytes.length !== size) throw invalidBinary(typeName, `expected ${size} bytes, got ${bytes.length}`);
}

/** PostgreSQL's input functions skip leading and trailing whitespace. */
export function trimSpace(text: string): string {
  return text.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '');
}
