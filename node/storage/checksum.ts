/**
 * CRC-32 (the zlib polynomial), as node:zlib computes it. Most MVCC values
 * are small, and for them a table-driven JavaScript loop (slicing by 8) is
 * cheaper than the native call's overhead; larger inputs go to zlib, whose
 * vectorised loop wins once there is enough data.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';

/** Inputs at least this long go to zlib (measured crossover: about 200 bytes). */
const nativeFromBytes = 192;

/** table[t * 256 + n]: the CRC of byte n followed by t zero bytes. */
const table = new Int32Array(256 * 8);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb8_8320 ^ (c >>> 1) : c >>> 1;
  table[n] = c;
}
for (let n = 0; n < 256; n++) {
  for (let t = 1; t < 8; t++) {
    const previous = table[(t - 1) * 256 + n]!;
    table[t * 256 + n] = (previous >>> 8) ^ table[previous & 0xff]!;
  }
}

/** CRC-32 of `data`; equals zlib.crc32(data). */
export function crc32(data: Uint8Array): number {
  const length = data.length;
  if (length >= nativeFromBytes) return zlibCrc32(data);
  let c = -1;
  let i = 0;
  for (; i + 8 <= length; i += 8) {
    const a = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    c = table[1792 + (a & 0xff)]! ^ table[1536 + ((a >>> 8) & 0xff)]! ^ table[1280 + ((a >>> 16) & 0xff)]! ^ table[1024 + (a >>> 24)]!
      ^ table[768 + data[i + 4]!]! ^ table[512 + data[i + 5]!]! ^ table[256 + data[i + 6]!]! ^ table[data[i + 7]!]!;
  }
  for (; i < length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
