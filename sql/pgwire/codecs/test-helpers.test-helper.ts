/** Test helpers for codecs: a codec's text and binary output as plain values. */
import { BufferWriter } from '../writer.ts';
import type { Codec } from './codec.ts';
import { writeBinaryValue, writeTextValue } from './codec.ts';

export function textOf<T>(codec: Codec<T>, value: T | string): string {
  const w = new BufferWriter(64);
  writeTextValue(codec, w, value);
  return w.view(0).toString('utf8');
}

export function binaryOf<T>(codec: Codec<T>, value: T | string): Buffer {
  const w = new BufferWriter(64);
  writeBinaryValue(codec, w, value);
  return Buffer.from(w.view(0));
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
