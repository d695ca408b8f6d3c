/**
 * A KV client for a Meridian cluster over gRPC: a DistSender that routes each
 * request to its range's leaseholder, following redirects and splits. Errors
 * reach the caller as KvClientError with a kind ('conditionFailed',
 * 'ambiguous', 'unavailable', 'invalid', …); an ambiguous write is reported,
 * never retried blindly.
 */
import {
  AmbiguousResultError, DistSender, GrpcDialer, InvalidRequestError, KvRemoteError, NotLeaseholderError, UnavailableError,
  type KvRequest, type KvResponse, type RangeDescriptor, type RequestHeader,
} from './kv/index.ts';
import { AdminRequestType, AdminResponseType, decodeMessage, dial, encodeMessage, unary } from './rpc/index.ts';
import { ConditionFailedError, WriteIntentError, WriteTooOldError } from './storage/index.ts';

export class KvClientError extends Error {
  constructor(readonly kind: string, message: string, readonly actualValue?: Buffer | null) {
    super(message);
    this.name = 'KvClientError';
  }
}

function clientError(error: unknown): Error {
  if (error instanceof KvClientError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof KvRemoteError) return new KvClientError(error.kind, message, error.actualValue);
  if (error instanceof ConditionFailedError) return new KvClientError('conditionFailed', message, error.actualValue ? Buffer.from(error.actualValue) : null);
  if (error instanceof AmbiguousResultError) return new KvClientError('ambiguous', message);
  if (error instanceof UnavailableError || error instanceof NotLeaseholderError) return new KvClientError('unavailable', message);
  if (error instanceof InvalidRequestError) return new KvClientError('invalid', message);
  if (error instanceof WriteIntentError) return new KvClientError('writeIntent', message);
  if (error instanceof WriteTooOldError) return new KvClientError('writeTooOld', message);
  return new KvClientError('internal', message);
}

export class KvClient {
  readonly #dialer: GrpcDialer;
  readonly sender: DistSender;

  /** `addresses[i]` must be node i+1's address: leaseholder hints name node IDs. */
  constructor(readonly addresses: readonly string[], readonly timeoutMs = 5_000, deadlineMs = 20_000) {
    const nodeIds = addresses.map((_, i) => i + 1);
    this.#dialer = new GrpcDialer((id) => addresses[id - 1], () => nodeIds, timeoutMs);
    this.sender = new DistSender(this.#dialer, { timeoutMs: deadlineMs });
  }

  /** Sends a batch (split by range; not atomic across ranges). */
  async batch(requests: readonly KvRequest[], header: RequestHeader = {}): Promise<KvResponse[]> {
    try {
      return await this.sender.send(requests, header);
    } catch (error) {
      throw clientError(error);
    }
  }

  async #one<T extends KvResponse['type']>(request: KvRequest & { type: T }): Promise<Extract<KvResponse, { type: T }>> {
    const [response] = await this.batch([request]);
    return response as Extract<KvResponse, { type: T }>;
  }

  async get(key: Buffer): Promise<Buffer | null> {
    return (await this.#one({ type: 'get', key })).value;
  }

  async put(key: Buffer, value: Buffer): Promise<void> {
    await this.#one({ type: 'put', key, value });
  }

  async cput(key: Buffer, value: Buffer, expected: Buffer | null): Promise<void> {
    await this.#one({ type: 'cput', key, value, expected });
  }

  async delete(key: Buffer): Promise<void> {
    await this.#one({ type: 'delete', key });
  }

  async increment(key: Buffer, delta: number): Promise<number> {
    return Number((await this.#one({ type: 'increment', key, delta: BigInt(delta) })).value);
  }

  /** The descriptor of the range holding `key`, read from meta. */
  async rangeLookup(key: Buffer): Promise<RangeDescriptor | null> {
    return (await this.#one({ type: 'rangeLookup', key })).descriptor;
  }

  /** Deletes every key in [key, endKey); returns the keys deleted. */
  async deleteRange(key: Buffer, endKey: Buffer): Promise<Buffer[]> {
    return (await this.#one({ type: 'deleteRange', key, endKey })).keys;
  }

  async scan(key: Buffer, endKey: Buffer, maxKeys = 0): Promise<Array<{ key: Buffer; value: Buffer }>> {
    return (await this.#one({ type: 'scan', key, endKey, maxKeys })).rows;
  }

  /** Splits the range holding `key` at `key` (admin). */
  async split(key: Buffer): Promise<{ left: RangeDescriptor; right: RangeDescriptor }> {
    const r = await this.#one({ type: 'adminSplit', key });
    return { left: r.left, right: r.right };
  }

  /** Moves a range's lease to `nodeId` (admin; asks the current leaseholder, or any node). */
  async transferLease(rangeId: number, nodeId: number): Promise<void> {
    let lastError = 'no node answered';
    for (const address of this.addresses) {
      const client = dial(address);
      try {
        const response = decodeMessage<{ error: string }>(AdminResponseType,
          await unary(client, 'admin', encodeMessage(AdminRequestType, { action: 'transferLease', rangeId, nodeId }), this.timeoutMs * 2));
        if (!response.error) return;
        lastError = response.error;
      } catch (error) {
        lastError = (error as Error).message;
      } finally {
        client.close();
      }
    }
    throw new KvClientError('unavailable', lastError);
  }

  close(): void {
    this.#dialer.close();
  }
}
