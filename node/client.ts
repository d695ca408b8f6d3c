/**
 * A KV client for a Meridian cluster over gRPC: sends each request to the
 * range's leader, following NotLeader hints and trying other nodes when one
 * is unreachable. Ambiguous writes are reported, never retried blindly.
 */
import { decodeDescriptor, type RangeDescriptor } from './kv/index.ts';
import { decodeMessage, dial, encodeMessage, KvRequestType, KvResponseType, unary, type MeridianClientInstance } from './rpc/index.ts';

export class KvClientError extends Error {
  constructor(readonly kind: string, message: string, readonly actualValue?: Buffer | null) {
    super(message);
    this.name = 'KvClientError';
  }
}

interface WireKvResponse {
  error: string; errorKind: string; leaderNode: number; found: boolean; value: Buffer; rows: Array<{ key: Buffer; value: Buffer }>; number: number;
}

export class KvClient {
  readonly #clients = new Map<string, MeridianClientInstance>();
  #leader = 0;

  /** `addresses[i]` must be node i+1's address: leader hints name node IDs. */
  constructor(readonly addresses: readonly string[], readonly timeoutMs = 5_000) {}

  #client(address: string): MeridianClientInstance {
    let c = this.#clients.get(address);
    if (!c) this.#clients.set(address, (c = dial(address)));
    return c;
  }

  /**
   * Sends a request to the leader. A write whose transport call fails may
   * have been applied, so it is reported as ambiguous rather than retried;
   * reads, and answers where the server says it did nothing, are retried.
   */
  async #call(request: Record<string, unknown>, deadlineMs = 20_000): Promise<WireKvResponse> {
    const isRead = request.type === 'get' || request.type === 'scan';
    const bytes = encodeMessage(KvRequestType, { rangeId: 1, ...request });
    const deadline = Date.now() + deadlineMs;
    let attempt = 0;
    let lastError = 'no node answered';
    while (Date.now() < deadline) {
      const index = this.#leader > 0 ? this.#leader - 1 : attempt % this.addresses.length;
      const address = this.addresses[index]!;
      attempt++;
      let response: WireKvResponse;
      try {
        response = decodeMessage<WireKvResponse>(KvResponseType, await unary(this.#client(address), 'kv', bytes, this.timeoutMs));
      } catch (error) {
        lastError = `${address}: ${(error as Error).message}`;
        this.#leader = 0;
        // gRPC's UNAVAILABLE before a connection exists means nothing was sent.
        const neverSent = (error as { code?: number }).code === 14 && /ECONNREFUSED|No connection established/.test(lastError);
        if (!isRead && !neverSent) throw new KvClientError('ambiguous', `write outcome unknown: ${lastError}`);
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (!response.errorKind) {
        this.#leader = index + 1;
        return response;
      }
      if (response.errorKind === 'notLeader' || response.errorKind === 'unavailable') {
        this.#leader = response.leaderNode > 0 && response.leaderNode <= this.addresses.length ? response.leaderNode : 0;
        lastError = response.error;
        if (this.#leader === 0 || this.#leader === index + 1) await new Promise((r) => setTimeout(r, 50));
        if (this.#leader === index + 1) this.#leader = 0;
        continue;
      }
      throw new KvClientError(response.errorKind, response.error, response.errorKind === 'conditionFailed' ? (response.found ? response.value : null) : undefined);
    }
    throw new KvClientError('unavailable', `request timed out: ${lastError}`);
  }

  async get(key: Buffer): Promise<Buffer | null> {
    const r = await this.#call({ type: 'get', key });
    return r.found ? r.value : null;
  }

  async put(key: Buffer, value: Buffer): Promise<void> {
    await this.#call({ type: 'put', key, value });
  }

  async cput(key: Buffer, value: Buffer, expected: Buffer | null): Promise<void> {
    await this.#call({ type: 'cput', key, value, ...(expected ? { expected } : { expectAbsent: true }) });
  }

  async delete(key: Buffer): Promise<void> {
    await this.#call({ type: 'delete', key });
  }

  async increment(key: Buffer, delta: number): Promise<number> {
    return (await this.#call({ type: 'increment', key, delta })).number;
  }

  /** The descriptor of the range holding `key`, read from meta. */
  async rangeLookup(key: Buffer): Promise<RangeDescriptor | null> {
    const r = await this.#call({ type: 'rangeLookup', key });
    return r.found ? decodeDescriptor(r.value) : null;
  }

  /** Deletes every key in [key, endKey); returns the keys deleted. */
  async deleteRange(key: Buffer, endKey: Buffer): Promise<Buffer[]> {
    return (await this.#call({ type: 'deleteRange', key, endKey })).rows.map((r) => r.key);
  }

  async scan(key: Buffer, endKey: Buffer, maxKeys = 0): Promise<Array<{ key: Buffer; value: Buffer }>> {
    return (await this.#call({ type: 'scan', key, endKey, maxKeys })).rows;
  }

  close(): void {
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
  }
}
