import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyStats } from '../storage/index.ts';
import { CommandDecodeError, decodeCommand, encodeCommand } from './command.ts';

describe('command encoding', () => {
  it('round trips writes, deletes and stats', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.option(fc.uint8Array({ maxLength: 40 }))), { maxLength: 10 }),
      fc.integer({ min: -1000, max: 1000 }),
      (writes, live) => {
        const command = {
          id: Buffer.alloc(16, 3),
          writes: writes.map(([k, v]) => ({ key: Buffer.from(k), value: v === null ? null : Buffer.from(v) })),
          stats: { ...emptyStats(), liveBytes: live, keyCount: 2 },
        };
        expect(decodeCommand(encodeCommand(command))).toEqual(command);
      }));
  });

  it('round trips a log truncation', () => {
    expect(decodeCommand(encodeCommand({ id: Buffer.alloc(16, 1), writes: [], stats: emptyStats(), truncateLogTo: 1234 })).truncateLogTo).toBe(1234);
  });

  it('rejects malformed bytes with CommandDecodeError only', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        decodeCommand(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(CommandDecodeError);
      }
    }), { numRuns: 2000 });
  });
});
