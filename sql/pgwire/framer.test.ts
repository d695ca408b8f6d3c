import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqlError } from './errors.ts';
import { Framer } from './framer.ts';
import { messageBytesMax } from './limits.ts';
import { parseStartupPacket } from './startup.ts';
import { BufferWriter } from './writer.ts';

function message(type: string, body: Buffer): Buffer {
  const w = new BufferWriter(16);
  const start = w.begin(type.charCodeAt(0));
  w.bytes(body);
  w.end(start);
  return w.take();
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return `${e.severity} ${e.code}`;
    throw e;
  }
  return undefined;
}

const bodyTypes = ['Q', 'P', 'B', 'd', 'E', 'D', 'C', 'f', 'p'];

describe('Framer', () => {
  it('yields the same messages however the stream is cut', () => {
    const messageArb = fc.oneof(
      fc.record({ type: fc.constantFrom(...bodyTypes), body: fc.uint8Array({ maxLength: 40 }) }),
      fc.record({ type: fc.constantFrom('S', 'H', 'X', 'c'), body: fc.constant(new Uint8Array(0)) }),
    );
    fc.assert(
      fc.property(fc.array(messageArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 10 }), (messages, cuts) => {
        const stream = Buffer.concat(messages.map((m) => message(m.type, Buffer.from(m.body))));
        const framer = new Framer();
        const got: { type: string; body: string }[] = [];
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        let at = 0;
        for (const p of [...points, stream.length]) {
          framer.push(stream.subarray(at, p));
          at = p;
          for (let f = framer.next(); f !== null; f = framer.next()) got.push({ type: String.fromCharCode(f.type), body: f.body.toString('hex') });
        }
        expect(got).toEqual(messages.map((m) => ({ type: m.type, body: Buffer.from(m.body).toString('hex') })));
        expect(framer.bufferedBytes).toBe(0);
      }),
    );
  });

  it('rejects an oversized length as soon as the header arrives', () => {
    const framer = new Framer();
    const header = Buffer.alloc(5);
    header[0] = 0x51;
    header.writeInt32BE(messageBytesMax + 1, 1);
    framer.push(header);
    expect(codeOf(() => framer.next())).toBe('FATAL 08P01');
  });

  it('rejects unknown types, short lengths and control messages with bodies', () => {
    for (const bytes of [Buffer.from([0x7a, 0, 0, 0, 4]), Buffer.from([0x51, 0, 0, 0, 3]), Buffer.from([0x53, 0, 0, 0, 5, 0])]) {
      const framer = new Framer();
      framer.push(bytes);
      expect(codeOf(() => framer.next())).toBe('FATAL 08P01');
    }
    const small = new Framer();
    const e = Buffer.alloc(5);
    e[0] = 0x45;
    e.writeInt32BE(100_000, 1);
    small.push(e);
    expect(codeOf(() => small.next())).toBe('FATAL 08P01');
  });

  it('checks startup packet lengths', () => {
    const framer = new Framer();
    framer.push(Buffer.from([0, 0, 0, 4]));
    expect(codeOf(() => framer.nextStartup())).toBe('FATAL 08P01');
    const big = new Framer();
    big.push(Buffer.from([0, 0, 0x40, 0]));
    expect(codeOf(() => big.nextStartup())).toBe('FATAL 08P01');
  });
});

describe('parseStartupPacket', () => {
  function packet(code: number, rest: Buffer): Buffer {
    const b = Buffer.alloc(4);
    b.writeInt32BE(code);
    return Buffer.concat([b, rest]);
  }

  it('reads parameters and protocol options', () => {
    const p = parseStartupPacket(packet(3 << 16, Buffer.from('user\0u\0database\0d\0_pq_.x\0y\0\0')));
    expect(p).toEqual({ kind: 'startup', minorVersion: 0, parameters: new Map([['user', 'u'], ['database', 'd']]), protocolOptions: ['_pq_.x'] });
  });

  it('reads SSL, GSSENC and cancel requests', () => {
    expect(parseStartupPacket(packet(80877103, Buffer.alloc(0)))).toEqual({ kind: 'ssl' });
    expect(parseStartupPacket(packet(80877104, Buffer.alloc(0)))).toEqual({ kind: 'gssenc' });
    const cancel = parseStartupPacket(packet(80877102, Buffer.from([0, 0, 0, 9, 1, 2, 3, 4])));
    expect(cancel).toEqual({ kind: 'cancel', processId: 9, secretKey: Buffer.from([1, 2, 3, 4]) });
  });

  it('rejects a missing terminator, a dangling name and an old protocol', () => {
    expect(codeOf(() => parseStartupPacket(packet(3 << 16, Buffer.from('user\0u\0'))))).toBe('FATAL 08P01');
    expect(codeOf(() => parseStartupPacket(packet(3 << 16, Buffer.from('user\0'))))).toBe('FATAL 08P01');
    expect(codeOf(() => parseStartupPacket(packet(2 << 16, Buffer.from('\0'))))).toBe('FATAL 0A000');
    expect(codeOf(() => parseStartupPacket(packet(80877102, Buffer.from([0, 0, 0, 9]))))).toBe('FATAL 08P01');
  });
});

describe('BufferWriter', () => {
  it('writes decimal integers without strings', () => {
    const w = new BufferWriter(1);
    for (const n of [0, 7, -7, 10, 2147483647, -2147483648, Number.MAX_SAFE_INTEGER]) {
      w.truncate(0);
      w.decimal(n);
      expect(w.view(0).toString()).toBe(String(n));
    }
  });

  it('writes safe integers as Int64', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        const w = new BufferWriter(1);
        w.i64Number(n);
        expect(w.view(0).readBigInt64BE(0)).toBe(BigInt(n));
      }),
    );
  });
});
