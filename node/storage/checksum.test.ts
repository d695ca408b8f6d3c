import fc from 'fast-check';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from './checksum.ts';

describe('crc32', () => {
  it('equals zlib on short and long inputs', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
      expect(crc32(data)).toBe(zlibCrc32(data));
    }), { seed: 5, numRuns: 500 });
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf4_3926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});
