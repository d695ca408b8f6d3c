/**
 * Data-driven MVCC tests, in the manner of CockroachDB's
 * pkg/storage/testdata/mvcc_histories: each file in
 * testdata/mvcc_histories/ is a sequence of blocks
 *
 *   # comment
 *   <command> <arg>=<value> <flag> …
 *   …
 *   ----
 *   <expected output>
 *
 * run against one fresh engine per file. Every block prints one line per
 * command and then the store's logical contents (intents and versions of
 * every key); after every block the incrementally kept stats must equal
 * computeStats(). `REWRITE=1 npx vitest run node/storage/mvcc-histories`
 * regenerates the expected output for review.
 *
 * Commands (timestamps are `wall` or `wall,logical`; t=<name> names a
 * transaction, whose write timestamp is used when ts= is absent):
 *   txn name= ts= [epoch=] [seq=] [priority=]   define or update a transaction
 *   put k= v= [ts=] [t=]      del k= [ts=] [t=]
 *   cput k= v= (exp= | absent) [ts=] [t=]
 *   inc k= by= [ts=] [t=]     del_range k= end= [ts=] [t=]
 *   get k= ts= [t=] [unc=] [inconsistent] [tombstones]
 *   scan k= end= ts= [t=] [unc=] [max=] [bytes=] [reverse] [inconsistent] [tombstones]
 *   resolve k= t= status=committed|aborted|pending [ts=] [ignore=lo-hi,…]
 *   resolve_range k= end= t= status=… [ts=] [ignore=…]
 *   gc k= end= ts=            clear k= end=           stats
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { timestamp, type Timestamp } from '../hlc/index.ts';
import type { Engine } from './engine.ts';
import {
  ConditionFailedError, ReadWithinUncertaintyIntervalError, StorageError, WriteIntentError, WriteTooOldError,
} from './errors.ts';
import {
  clearSpan, computeStats, mvccConditionalPut, mvccDelete, mvccDeleteRange, mvccGarbageCollect, mvccGet, mvccIncrement,
  mvccPut, mvccResolveIntent, mvccResolveIntentRange, mvccScan, type IntentStatus, type IntentResolution,
} from './mvcc.ts';
import { rawSpan } from './mvcc-key.ts';
import { keyGroups } from './mvcc-read.ts';
import { decodeAnyVersionValue, type TxnMeta } from './mvcc-value.ts';
import { addStats, emptyStats, type MvccStats } from './stats.ts';
import { withEngine } from './test-util.test-helper.ts';

const dir = fileURLToPath(new URL('./testdata/mvcc_histories/', import.meta.url));
const rewrite = process.env.REWRITE === '1';
const everything = { key: Buffer.from([0x00]), endKey: Buffer.from([0xff]) };

interface Block {
  readonly commands: string[];
  readonly expected: string;
  /** Comment and command lines before the separator, kept verbatim on rewrite. */
  readonly header: string[];
}

function parseFile(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const header: string[] = [];
    while (i < lines.length && lines[i] !== '----') header.push(lines[i++]!);
    if (i >= lines.length) {
      if (header.some((l) => l.trim() !== '' && !l.startsWith('#'))) throw new Error('commands without a ---- separator');
      break;
    }
    i++;
    const output: string[] = [];
    while (i < lines.length && lines[i] !== '') output.push(lines[i++]!);
    while (i < lines.length && lines[i] === '') i++;
    const commands = header.filter((l) => l.trim() !== '' && !l.startsWith('#'));
    blocks.push({ commands, expected: output.join('\n'), header });
  }
  return blocks;
}

function parseTimestamp(text: string): Timestamp {
  const [wall, logical] = text.split(',');
  return timestamp(Number(wall), logical === undefined ? 0 : Number(logical));
}

function showTimestamp(ts: Timestamp): string {
  return ts.logical === 0 ? String(ts.wallMicros) : `${ts.wallMicros},${ts.logical}`;
}

/** Quoted bytes, printable ASCII as is and everything else as \xNN (the form arguments take). */
function showBytes(value: Uint8Array | null): string {
  if (value === null) return '<tombstone>';
  let out = '';
  for (const b of value) out += b >= 0x20 && b < 0x7f && b !== 0x5c && b !== 0x22 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return `"${out}"`;
}

/** An argument's bytes: \xNN escapes decoded. */
function argBytes(text: string): Buffer {
  return Buffer.from(text.replace(/\\x([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
}

class History {
  readonly stats: MvccStats = emptyStats();
  readonly txns = new Map<string, TxnMeta>();

  constructor(readonly engine: Engine) {}

  txnName(id: Uint8Array): string {
    for (const [name, meta] of this.txns) if (Buffer.compare(meta.id, id) === 0) return name;
    return Buffer.from(id).toString('hex');
  }

  async run(line: string): Promise<string> {
    const [command, ...rest] = line.trim().split(/\s+/);
    const args = new Map<string, string>();
    for (const part of rest) {
      const eq = part.indexOf('=');
      if (eq < 0) args.set(part, '');
      else args.set(part.slice(0, eq), part.slice(eq + 1));
    }
    try {
      return await this.#dispatch(command!, args);
    } catch (error) {
      return `error: ${this.#describe(error)}`;
    }
  }

  #describe(error: unknown): string {
    if (error instanceof WriteTooOldError) return `WriteTooOldError retry at ${showTimestamp(error.actualTimestamp)}`;
    if (error instanceof WriteIntentError) {
      return `WriteIntentError ${error.intents.map((i) => `${showBytes(i.key)}:${this.txnName(i.txn.id)}@${showTimestamp(i.txn.writeTimestamp)}`).join(' ')}`;
    }
    if (error instanceof ReadWithinUncertaintyIntervalError) {
      return `ReadWithinUncertaintyIntervalError value at ${showTimestamp(error.valueTimestamp)}`;
    }
    if (error instanceof ConditionFailedError) return `ConditionFailedError actual ${error.actualValue === null ? '<absent>' : showBytes(error.actualValue)}`;
    if (error instanceof StorageError) return `${error.name}: ${error.message}`;
    throw error;
  }

  /** Runs one write in its own batch; the batch and its stats delta are kept only on success. */
  async #write<T>(fn: (batch: ReturnType<Engine['newBatch']>, delta: MvccStats) => Promise<T>): Promise<T> {
    const batch = this.engine.newBatch();
    const delta = emptyStats();
    const result = await fn(batch, delta);
    await batch.commit({ sync: false });
    addStats(this.stats, delta);
    return result;
  }

  #key(args: Map<string, string>, name = 'k'): Buffer {
    const text = args.get(name);
    if (text === undefined) throw new Error(`missing ${name}=`);
    return argBytes(text);
  }

  #txn(args: Map<string, string>): TxnMeta | undefined {
    const name = args.get('t');
    if (name === undefined) return undefined;
    const txn = this.txns.get(name);
    if (!txn) throw new Error(`unknown transaction ${name}`);
    return txn;
  }

  #ts(args: Map<string, string>): Timestamp {
    const text = args.get('ts');
    if (text !== undefined) return parseTimestamp(text);
    const txn = this.#txn(args);
    if (!txn) throw new Error('missing ts=');
    return txn.writeTimestamp;
  }

  #readOptions(args: Map<string, string>) {
    const txn = this.#txn(args);
    const unc = args.get('unc');
    return {
      ...(txn ? { txn } : {}),
      ...(unc ? { uncertaintyLimit: parseTimestamp(unc) } : {}),
      inconsistent: args.has('inconsistent'),
      tombstones: args.has('tombstones'),
    };
  }

  #resolution(args: Map<string, string>): IntentResolution {
    const txn = this.#txn(args);
    if (!txn) throw new Error('resolve needs t=');
    const ignore = args.get('ignore');
    return {
      txn,
      status: args.get('status') as IntentStatus,
      timestamp: args.has('ts') ? parseTimestamp(args.get('ts')!) : txn.writeTimestamp,
      ...(ignore ? { ignoredSequences: ignore.split(',').map((r) => r.split('-').map(Number) as [number, number]) } : {}),
    };
  }

  async #dispatch(command: string, args: Map<string, string>): Promise<string> {
    const txn = this.#txn.bind(this);
    const writeOptions = () => { const t = txn(args); return t ? { txn: t } : {}; };
    switch (command) {
      case 'txn': {
        const name = args.get('name')!;
        const old = this.txns.get(name);
        const id = Buffer.alloc(16);
        id.write(name, 'latin1');
        this.txns.set(name, {
          id: old?.id ?? id,
          epoch: args.has('epoch') ? Number(args.get('epoch')) : old?.epoch ?? 0,
          writeTimestamp: args.has('ts') ? parseTimestamp(args.get('ts')!) : old?.writeTimestamp ?? timestamp(1),
          sequence: args.has('seq') ? Number(args.get('seq')) : old?.sequence ?? 1,
          priority: args.has('priority') ? Number(args.get('priority')) : old?.priority ?? 1,
        });
        const t = this.txns.get(name)!;
        return `txn ${name} epoch=${t.epoch} ts=${showTimestamp(t.writeTimestamp)} seq=${t.sequence}`;
      }
      case 'put':
        await this.#write((b, d) => mvccPut(b, d, this.#key(args), this.#ts(args), argBytes(args.get('v') ?? ''), writeOptions()));
        return 'ok';
      case 'del':
        await this.#write((b, d) => mvccDelete(b, d, this.#key(args), this.#ts(args), writeOptions()));
        return 'ok';
      case 'cput': {
        const expected = args.has('absent') ? null : argBytes(args.get('exp') ?? '');
        await this.#write((b, d) => mvccConditionalPut(b, d, this.#key(args), this.#ts(args), argBytes(args.get('v') ?? ''), expected, writeOptions()));
        return 'ok';
      }
      case 'inc': {
        const value = await this.#write((b, d) => mvccIncrement(b, d, this.#key(args), this.#ts(args), BigInt(args.get('by') ?? '1'), writeOptions()));
        return `inc: ${value}`;
      }
      case 'del_range': {
        const deleted = await this.#write((b, d) => mvccDeleteRange(b, d, { key: this.#key(args), endKey: this.#key(args, 'end') }, this.#ts(args), writeOptions()));
        return `del_range: ${deleted.map((k) => showBytes(k)).join(' ') || '<none>'}`;
      }
      case 'get': case 'scan':
        return this.#read(command, args);
      case 'resolve': {
        const resolved = await this.#write((b, d) => mvccResolveIntent(b, d, this.#key(args), this.#resolution(args)));
        return `resolve: ${resolved ? 'resolved' : 'no intent'}`;
      }
      case 'resolve_range': {
        const count = await this.#write((b, d) => mvccResolveIntentRange(b, d, { key: this.#key(args), endKey: this.#key(args, 'end') }, this.#resolution(args)));
        return `resolve_range: ${count} resolved`;
      }
      case 'gc': {
        const removed = await this.#write((b, d) => mvccGarbageCollect(b, d, { key: this.#key(args), endKey: this.#key(args, 'end') }, parseTimestamp(args.get('ts')!)));
        return `gc: ${removed} removed`;
      }
      case 'clear':
        await this.#write((b, d) => clearSpan(b, d, { key: this.#key(args), endKey: this.#key(args, 'end') }));
        return 'ok';
      case 'stats':
        return Object.entries(this.stats).map(([name, value]) => `stats: ${name}=${value}`).join('\n');
      default:
        throw new Error(`unknown command ${command}`);
    }
  }

  async #read(command: 'get' | 'scan', args: Map<string, string>): Promise<string> {
    if (command === 'get') {
      const got = await mvccGet(this.engine, this.#key(args), parseTimestamp(args.get('ts')!), this.#readOptions(args));
      if (got.timestamp === null) return 'get: <absent>';
      return `get: ${showBytes(got.value)} @${showTimestamp(got.timestamp)}`;
    }
    const { rows, resumeSpan } = await mvccScan(this.engine, { key: this.#key(args), endKey: this.#key(args, 'end') }, parseTimestamp(args.get('ts')!), {
      ...this.#readOptions(args),
      maxKeys: Number(args.get('max') ?? 0),
      maxBytes: Number(args.get('bytes') ?? 0),
      reverse: args.has('reverse'),
    });
    const out = rows.map((r) => `scan: ${showBytes(r.key)} -> ${showBytes(r.tombstone ? null : r.value)} @${showTimestamp(r.timestamp)}`);
    if (rows.length === 0) out.push('scan: <none>');
    if (resumeSpan) out.push(`scan: resume [${showBytes(resumeSpan.key)}, ${showBytes(resumeSpan.endKey)})`);
    return out.join('\n');
  }

  /** The logical contents: each key's intent, then its versions newest first. */
  async dump(): Promise<string[]> {
    const out: string[] = [];
    const { gte, lt } = rawSpan(everything.key, everything.endKey);
    for await (const group of keyGroups(this.engine, gte, lt)) {
      if (group.intent) {
        const { txn, history } = group.intent.record;
        const writes = history.map((w) => `${w.sequence}:${showBytes(w.value)}`).join(' ');
        out.push(`data: ${showBytes(group.key)} intent ${this.txnName(txn.id)} epoch=${txn.epoch} ts=${showTimestamp(txn.writeTimestamp)} seq=${txn.sequence} writes=[${writes}]`);
      }
      for (const v of group.versions) out.push(`data: ${showBytes(group.key)} @${showTimestamp(v.timestamp)} -> ${showBytes(decodeAnyVersionValue(v.rawValue))}`);
    }
    return out.length > 0 ? out : ['data: <empty>'];
  }
}

const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

describe('mvcc histories', () => {
  it('has history files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(file, () => withEngine(async (engine) => {
      const path = join(dir, file);
      const blocks = parseFile(readFileSync(path, 'utf8'));
      const history = new History(engine);
      const rewritten: string[] = [];
      for (const block of blocks) {
        const output: string[] = [];
        for (const command of block.commands) output.push(await history.run(command));
        output.push(...(await history.dump()));
        const actual = output.join('\n');
        // Whatever the block did, the incremental stats must match a recount.
        expect(history.stats, `stats after block "${block.commands[0]}"`).toEqual(await computeStats(engine, everything));
        if (rewrite) rewritten.push([...block.header, '----', actual, ''].join('\n'));
        else expect(actual, `${file}: ${block.commands.join('; ')}`).toBe(block.expected);
      }
      if (rewrite) writeFileSync(path, rewritten.join('\n'));
    }));
  }
});

