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
          leaseSequence: 7,
          writes: writes.map(([k, v]) => ({ key: Buffer.from(k), value: v === null ? null : Buffer.from(v) })),
          stats: { ...emptyStats(), liveBytes: live, keyCount: 2 },
        };
        expect(decodeCommand(encodeCommand(command))).toEqual(command);
      }));
  });

  it('round trips triggers: log truncation, lease change, split', () => {
    const base = { id: Buffer.alloc(16, 1), leaseSequence: 0, writes: [], stats: emptyStats() };
    const truncate = { ...base, trigger: { type: 'truncateLog', index: 1234 } } as const;
    expect(decodeCommand(encodeCommand(truncate))).toEqual(truncate);
    const lease = { sequence: 3, replicaId: 2, nodeId: 2, startMicros: 1_000_000, expirationMicros: 4_000_000 };
    const leaseChange = { ...base, trigger: { type: 'lease', change: { previousSequence: 2, lease, transfer: true } } } as const;
    expect(decodeCommand(encodeCommand(leaseChange))).toEqual(leaseChange);
    const replicas = [{ nodeId: 1, replicaId: 1 }, { nodeId: 2, replicaId: 2 }];
    const split = {
      ...base, leaseSequence: 3,
      trigger: {
        type: 'split',
        split: {
          left: { rangeId: 1, startKey: Buffer.from('a'), endKey: Buffer.from('m'), replicas, generation: 4 },
          right: { rangeId: 9, startKey: Buffer.from('m'), endKey: Buffer.from('z'), replicas, generation: 4 },
          rightStats: { ...emptyStats(), liveCount: 5, liveBytes: 100 },
        },
      },
    } as const;
    expect(decodeCommand(encodeCommand(split))).toEqual(split);
  });

  it('rejects a malformed trigger', () => {
    const bytes = encodeCommand({ id: Buffer.alloc(16, 1), leaseSequence: 0, writes: [], stats: emptyStats(), trigger: { type: 'truncateLog', index: 5 } });
    const json = Buffer.from('{"type":"truncateLog","index":5}');
    const at = bytes.indexOf(json);
    bytes.write('{"type":"truncateLog","index":0}', at);
    expect(() => decodeCommand(bytes)).toThrow(CommandDecodeError);
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
