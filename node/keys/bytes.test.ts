import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareKeys, concatBytes, decodeEscapedKey, decodeOrderedUint, encodeEscapedKey, encodeOrderedUint, hasPrefix,
  keyMax, keyMin, keyNext, keysEqual, prefixEnd,
} from './bytes.ts';
import { InvalidKeyError } from './errors.ts';

const bytes = fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a));
/** Bytes biased towards 0x00 and 0xff, where escaping and prefixEnd have their edge cases. */
const edgyBytes = fc.array(fc.constantFrom(0x00, 0x01, 0x7f, 0xfe, 0xff), { maxLength: 8 }).map((a) => Buffer.from(a));
const anyBytes = fc.oneof(bytes, edgyBytes);
const sign = (n: number) => Math.sign(n);

describe('compareKeys', () => {
  it('is lexicographic with shorter prefixes first', () => {
    expect(compareKeys(Buffer.from('a'), Buffer.from('ab'))).toBeLessThan(0);
    expect(compareKeys(Buffer.from('b'), Buffer.from('ab'))).toBeGreaterThan(0);
    expect(compareKeys(Buffer.from([0xff]), Buffer.from([0xff, 0x00]))).toBeLessThan(0);
    expect(compareKeys(keyMin, Buffer.from([0]))).toBeLessThan(0);
    expect(keysEqual(Buffer.from('ab'), new Uint8Array([0x61, 0x62]))).toBe(true);
    expect(keysEqual(Buffer.from('ab'), Buffer.from('abc'))).toBe(false);
  });

  it('hasPrefix agrees with slicing', () => {
    fc.assert(fc.property(anyBytes, anyBytes, (key, prefix) => {
      expect(hasPrefix(key, prefix)).toBe(key.length >= prefix.length && keysEqual(key.subarray(0, prefix.length), prefix));
      expect(hasPrefix(concatBytes(prefix, key), prefix)).toBe(true);
    }));
  });
});

describe('prefixEnd', () => {
  it('bounds exactly the keys with the prefix', () => {
    fc.assert(fc.property(anyBytes, anyBytes, (prefix, key) => {
      fc.pre(prefix.some((b) => b !== 0xff));
      const inside = compareKeys(prefix, key) <= 0 && compareKeys(key, prefixEnd(prefix)) < 0;
      expect(inside).toBe(hasPrefix(key, prefix));
    }), { numRuns: 2000 });
  });

  it('bounds every key with the prefix, all-0xff prefixes within the key space', () => {
    fc.assert(fc.property(anyBytes, anyBytes, (prefix, suffix) => {
      const key = Buffer.concat([prefix, suffix]);
      // An empty or all-0xff prefix maps to KeyMax, which bounds only keys of the key space (below KeyMax).
      fc.pre(prefix.some((b) => b !== 0xff) || compareKeys(key, keyMax) < 0);
      expect(compareKeys(prefix, key)).toBeLessThanOrEqual(0);
      expect(compareKeys(key, prefixEnd(prefix))).toBeLessThan(0);
    }), { numRuns: 2000 });
  });

  it('handles trailing 0xff bytes and all-0xff prefixes', () => {
    expect(prefixEnd(Buffer.from([1, 2]))).toEqual(Buffer.from([1, 3]));
    expect(prefixEnd(Buffer.from([1, 0xff, 0xff]))).toEqual(Buffer.from([2]));
    expect(prefixEnd(Buffer.from([0xff, 0xff, 0xff]))).toEqual(keyMax);
    expect(prefixEnd(Buffer.alloc(0))).toEqual(keyMax);
  });

  it('does not alias its input', () => {
    const prefix = Buffer.from([1, 2]);
    prefixEnd(prefix)[0] = 9;
    expect(prefix).toEqual(Buffer.from([1, 2]));
  });
});

describe('keyNext', () => {
  it('is the immediate successor', () => {
    fc.assert(fc.property(anyBytes, anyBytes, (a, b) => {
      const n = keyNext(a);
      expect(compareKeys(a, n)).toBeLessThan(0);
      if (compareKeys(a, b) < 0) expect(compareKeys(n, b)).toBeLessThanOrEqual(0);
    }));
    expect(keyNext(Buffer.from('a'))).toEqual(Buffer.from([0x61, 0]));
  });
});

describe('ordered integers', () => {
  const n = fc.oneof(fc.nat(300), fc.nat(70_000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));

  it('round trip and order numerically', () => {
    fc.assert(fc.property(n, n, (a, b) => {
      const ea = encodeOrderedUint(a);
      expect(decodeOrderedUint(ea, 0)).toEqual({ value: a, next: ea.length });
      expect(sign(compareKeys(ea, encodeOrderedUint(b)))).toBe(sign(a - b));
    }));
  });

  it('is prefix-free, so anything may follow an integer', () => {
    fc.assert(fc.property(n, n, bytes, (a, b, tail) => {
      fc.pre(a !== b);
      const ea = Buffer.concat([encodeOrderedUint(a), tail]);
      expect(decodeOrderedUint(ea, 0).value).toBe(a);
      expect(sign(compareKeys(ea, encodeOrderedUint(b)))).toBe(sign(a - b));
    }));
  });

  it('encodes by minimal length', () => {
    expect(encodeOrderedUint(0)).toEqual(Buffer.from([0]));
    expect(encodeOrderedUint(255)).toEqual(Buffer.from([1, 255]));
    expect(encodeOrderedUint(256)).toEqual(Buffer.from([2, 1, 0]));
    expect(encodeOrderedUint(Number.MAX_SAFE_INTEGER)).toEqual(Buffer.from([7, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
  });

  it('rejects malformed encodings and bad values', () => {
    expect(() => decodeOrderedUint(Buffer.from([2, 1]), 0)).toThrow(InvalidKeyError);
    expect(() => decodeOrderedUint(Buffer.from([]), 0)).toThrow(InvalidKeyError);
    expect(() => decodeOrderedUint(Buffer.from([1, 0]), 0)).toThrow(/non-minimal/);
    expect(() => decodeOrderedUint(Buffer.from([7, 0xff, 1, 1, 1, 1, 1, 1]), 0)).toThrow(/overflows/);
    expect(() => decodeOrderedUint(Buffer.from([9, 1, 1, 1, 1, 1, 1, 1, 1, 1]), 0)).toThrow(InvalidKeyError);
    expect(() => encodeOrderedUint(-1)).toThrow(InvalidKeyError);
    expect(() => encodeOrderedUint(1.5)).toThrow(InvalidKeyError);
    expect(() => encodeOrderedUint(2 ** 53)).toThrow(InvalidKeyError);
  });
});

describe('escaped keys', () => {
  it('round trip and keep order with any suffix', () => {
    fc.assert(fc.property(anyBytes, anyBytes, anyBytes, anyBytes, (a, b, sa, sb) => {
      const ea = Buffer.concat([encodeEscapedKey(a), sa]);
      const eb = Buffer.concat([encodeEscapedKey(b), sb]);
      expect(decodeEscapedKey(ea, 0)).toEqual({ key: a, next: ea.length - sa.length });
      if (!a.equals(b)) expect(sign(compareKeys(ea, eb))).toBe(sign(compareKeys(a, b)));
    }), { numRuns: 1000 });
  });

  it('decodes at an offset inside a plain Uint8Array', () => {
    const inner = Buffer.from([0x61, 0x00, 0x62]);
    const whole = new Uint8Array(Buffer.concat([Buffer.from('xy'), encodeEscapedKey(inner), Buffer.from('z')]));
    expect(decodeEscapedKey(whole, 2)).toEqual({ key: inner, next: whole.length - 1 });
  });

  it('rejects a missing terminator and bad escapes', () => {
    expect(() => decodeEscapedKey(Buffer.from('abc'), 0)).toThrow(InvalidKeyError);
    expect(() => decodeEscapedKey(Buffer.from([0x61, 0x00]), 0)).toThrow(InvalidKeyError);
    expect(() => decodeEscapedKey(Buffer.from([0x61, 0x00, 0x05]), 0)).toThrow(/bad escape/);
  });
});
