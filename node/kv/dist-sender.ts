/**
 * DistSender: sends a client's batch to the ranges that hold its keys. Point
 * requests are grouped per range and sent to each range's leaseholder in
 * parallel; scans and range deletions walk the ranges their span covers. It
 * looks descriptors up in meta (through the range that holds meta) and caches
 * them, and follows NotLeaseholder hints, RangeKeyMismatch (the store's own
 * descriptors refresh the cache) and RangeNotFound transparently. A write
 * whose delivery is uncertain is reported as ambiguous, never resent.
 */
import { compareKeys, keyMin, metaMax } from '../keys/index.ts';
import type { RangeDescriptor } from './descriptor.ts';
import { AmbiguousResultError, NotLeaseholderError, RangeKeyMismatchError, RangeNotFoundError, UnavailableError } from './errors.ts';
import { RangeCache } from './range-cache.ts';
import { isWrite, type BatchRequest, type KvRequest, type KvResponse, type RequestHeader } from './request.ts';

/** A transport failure: the request may (maybeDelivered) or may not have reached the node. */
export class SendError extends Error {
  constructor(message: string, readonly maybeDelivered: boolean) {
    super(message);
    this.name = 'SendError';
  }
}

/** How DistSender reaches a node's store: resolves with its responses or throws the store's typed error, or SendError. */
export interface NodeDialer {
  send(nodeId: number, batch: BatchRequest): Promise<KvResponse[]>;
  /** Every node that might hold a replica (used to find the meta range before anything is cached). */
  nodeIds(): readonly number[];
}

export interface DistSenderOptions {
  /** Give up on a request after this long (ms, default 20 s). */
  readonly timeoutMs?: number;
}

/** The cache is stale for these keys: regroup and resend. */
class Reroute extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DistSender {
  readonly cache = new RangeCache();

  constructor(private readonly dialer: NodeDialer, private readonly options: DistSenderOptions = {}) {}

  /** Sends requests; responses come back in request order. Not atomic across ranges. */
  async send(requests: readonly KvRequest[], header: RequestHeader = {}): Promise<KvResponse[]> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 20_000);
    const responses = new Array<KvResponse>(requests.length);
    const points: number[] = [];
    const spans: number[] = [];
    requests.forEach((r, i) => ((r.type === 'scan' || r.type === 'deleteRange') ? spans : points).push(i));
    await Promise.all([
      this.#sendPoints(requests, points, header, deadline, responses),
      ...spans.map(async (i) => { responses[i] = await this.#sendSpan(requests[i] as KvRequest & { type: 'scan' | 'deleteRange' }, header, deadline); }),
    ]);
    return responses;
  }

  /** The descriptor of the range holding `key` (from the cache, else from meta). */
  async descriptorFor(key: Buffer, deadline = Date.now() + (this.options.timeoutMs ?? 20_000)): Promise<RangeDescriptor> {
    const cached = this.cache.lookup(key);
    if (cached) return cached;
    if (compareKeys(key, metaMax) < 0) {
      // The meta range: range 1, which holds every key below the end of meta.
      return { rangeId: 1, startKey: keyMin, endKey: metaMax, replicas: this.dialer.nodeIds().map((nodeId) => ({ nodeId, replicaId: 0 })), generation: -1 };
    }
    const metaDesc = await this.descriptorFor(keyMin, deadline);
    const [response] = await this.#sendToRange(metaDesc, [{ type: 'rangeLookup', key }], {}, deadline);
    if (response?.type !== 'rangeLookup' || !response.descriptor) throw new UnavailableError(`no range holds key ${key.toString('hex')}`);
    this.cache.insert(response.descriptor);
    return response.descriptor;
  }

  async #sendPoints(requests: readonly KvRequest[], indexes: number[], header: RequestHeader, deadline: number, out: KvResponse[]): Promise<void> {
    let pending = indexes;
    while (pending.length > 0) {
      const groups = new Map<number, { desc: RangeDescriptor; indexes: number[] }>();
      for (const i of pending) {
        const r = requests[i]!;
        const key = r.type === 'rangeLookup' ? keyMin : (r as { key: Buffer }).key;
        const desc = await this.descriptorFor(key, deadline);
        let group = groups.get(desc.rangeId);
        if (!group) groups.set(desc.rangeId, (group = { desc, indexes: [] }));
        group.indexes.push(i);
      }
      const retry: number[] = [];
      await Promise.all([...groups.values()].map(async ({ desc, indexes: group }) => {
        try {
          const responses = await this.#sendToRange(desc, group.map((i) => requests[i]!), header, deadline);
          group.forEach((i, j) => { out[i] = responses[j]!; });
        } catch (error) {
          if (!(error instanceof Reroute)) throw error;
          retry.push(...group);
        }
      }));
      pending = retry.sort((a, b) => a - b);
    }
  }

  /** A scan or range deletion, range by range (a reverse scan visits the ranges last to first). */
  async #sendSpan(request: KvRequest & { type: 'scan' | 'deleteRange' }, header: RequestHeader, deadline: number): Promise<KvResponse> {
    const rows: Array<{ key: Buffer; value: Buffer }> = [];
    const keys: Buffer[] = [];
    const reverse = request.type === 'scan' && request.reverse === true;
    const maxKeys = request.type === 'scan' ? request.maxKeys ?? 0 : 0;
    let lo = request.key;
    let hi = request.endKey;
    while (compareKeys(lo, hi) < 0) {
      // The part of the remaining span in one range: its first range (forward) or last range (reverse).
      let desc = await this.descriptorFor(lo, deadline);
      if (reverse) {
        while (compareKeys(desc.endKey, hi) < 0) desc = await this.descriptorFor(desc.endKey, deadline);
      }
      const partLo = reverse && compareKeys(desc.startKey, lo) > 0 ? desc.startKey : lo;
      const partHi = compareKeys(desc.endKey, hi) < 0 ? desc.endKey : hi;
      const part: KvRequest = request.type === 'scan'
        ? { ...request, key: partLo, endKey: partHi, maxKeys: maxKeys > 0 ? maxKeys - rows.length : 0 }
        : { ...request, key: partLo, endKey: partHi };
      let response: KvResponse | undefined;
      try {
        [response] = await this.#sendToRange(desc, [part], header, deadline);
      } catch (error) {
        if (error instanceof Reroute) continue;
        throw error;
      }
      if (response?.type === 'deleteRange') keys.push(...response.keys);
      if (response?.type === 'scan') {
        rows.push(...response.rows);
        if (response.resume) {
          const resume = reverse ? { key: lo, endKey: response.resume.endKey } : { key: response.resume.key, endKey: hi };
          return { type: 'scan', rows, resume };
        }
        if (maxKeys > 0 && rows.length >= maxKeys) {
          const rest = reverse ? { key: lo, endKey: partLo } : { key: partHi, endKey: hi };
          return compareKeys(rest.key, rest.endKey) < 0 ? { type: 'scan', rows, resume: rest } : { type: 'scan', rows };
        }
      }
      if (reverse) hi = partLo;
      else lo = partHi;
    }
    return request.type === 'scan' ? { type: 'scan', rows } : { type: 'deleteRange', keys };
  }

  /** Sends a batch to one range: its leaseholder first, then the other replicas, until one serves it. */
  async #sendToRange(desc: RangeDescriptor, requests: readonly KvRequest[], header: RequestHeader, deadline: number): Promise<KvResponse[]> {
    const writes = requests.some(isWrite);
    let lastError: Error = new UnavailableError(`range ${desc.rangeId}: no replica answered`);
    for (let round = 0; Date.now() < deadline; round++) {
      const tried = new Set<number>();
      let next = this.cache.leaseholder(desc.rangeId);
      // Redirects may bounce between replicas while a lease moves: bound the tries per round.
      for (let attempts = 0; attempts < desc.replicas.length * 3; attempts++) {
        if (!next || tried.has(next)) next = desc.replicas.map((r) => r.nodeId).find((n) => !tried.has(n)) ?? 0;
        if (!next) break;
        tried.add(next);
        const node = next;
        next = 0;
        try {
          const responses = await this.dialer.send(node, { rangeId: desc.rangeId, header, requests });
          this.cache.setLeaseholder(desc.rangeId, node);
          return responses;
        } catch (error) {
          lastError = error as Error;
          if (error instanceof NotLeaseholderError) {
            this.cache.setLeaseholder(desc.rangeId, error.leaseholderNodeId);
            next = error.leaseholderNodeId === node ? 0 : error.leaseholderNodeId;
            if (next) tried.delete(next); // the hint may be newer than our last try there
            continue;
          }
          if (error instanceof RangeKeyMismatchError) {
            this.cache.evict(desc);
            for (const d of error.descriptors) this.cache.insert(d);
            throw new Reroute();
          }
          if (error instanceof RangeNotFoundError || error instanceof UnavailableError) continue;
          if (error instanceof SendError) {
            if (error.maybeDelivered && writes) throw new AmbiguousResultError(`write outcome unknown: ${error.message}`);
            this.cache.setLeaseholder(desc.rangeId, 0);
            continue;
          }
          throw error;
        }
      }
      // Nobody served it: the descriptor may be stale (replicas moved) or the range is electing.
      if (desc.generation >= 0 && round > 2) {
        this.cache.evict(desc);
        throw new Reroute();
      }
      await sleep(Math.min(20 * 2 ** round, 500));
    }
    throw lastError instanceof Error && !(lastError instanceof NotLeaseholderError) ? lastError
      : new UnavailableError(`range ${desc.rangeId}: ${lastError.message}`);
  }
}
