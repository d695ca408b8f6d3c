/**
 * The cluster services a store needs (new range IDs, meta records), built on
 * a DistSender so they reach whichever node leads the ranges holding them.
 */
import { metaKey, rangeIdGeneratorKey } from '../keys/index.ts';
import { encodeDescriptor, type RangeDescriptor } from './descriptor.ts';
import type { DistSender } from './dist-sender.ts';
import type { ClusterServices } from './store.ts';

/** The initial value of the range ID generator: range 1 exists from bootstrap. */
export function rangeIdGeneratorInitialValue(lastRangeId: number): { key: Buffer; value: Buffer } {
  const value = Buffer.alloc(8);
  value.writeBigInt64BE(BigInt(lastRangeId));
  return { key: rangeIdGeneratorKey, value };
}

export function clusterServices(sender: DistSender): ClusterServices {
  return {
    async allocateRangeId(): Promise<number> {
      const [response] = await sender.send([{ type: 'increment', key: rangeIdGeneratorKey, delta: 1n }]);
      if (response?.type !== 'increment') throw new Error('range ID allocation returned no value');
      return Number(response.value);
    },
    async updateMeta(descriptors: readonly RangeDescriptor[]): Promise<void> {
      await sender.send(descriptors.map((d) => ({ type: 'put', key: metaKey(d.endKey), value: encodeDescriptor(d) })));
    },
  };
}
