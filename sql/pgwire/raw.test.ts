/** Message-level tests with pg-protocol's serializer: pipelining, portals, COPY, cancel, and hostile input. */
import { serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codecFor } from './codecs/registry.ts';
import { itemsColumns, itemsRows } from './test-engine.test-helper.ts';
import { RawClient, startTestServer, type TestServer } from './test-server.test-helper.ts';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
  expect(t.errors).toEqual([]);
});

type Named = BackendMessage & { text?: string; code?: string; fieldCount?: number; fields?: unknown[]; parameterName?: string; status?: string };

function summary(messages: readonly BackendMessage[]): string[] {
  return messages.map((m) => {
    const n = m as Named;
    if (n.name === 'commandComplete') return `C:${n.text}`;
    if (n.name === 'error') return `E:${n.code}`;
    if (n.name === 'readyForQuery') return `Z:${n.status}`;
    if (n.name === 'dataRow') return `D:${(n.fields ?? []).join('|')}`;
    return n.name;
  });
}

/** One extended-protocol round: Parse/Bind/Describe/Execute/Sync of `sql` with text `values`. */
function extendedRound(sql: string, values: unknown[] = []): Buffer[] {
  return [
    serialize.parse({ text: sql }),
    serialize.bind({ values }),
    serialize.describe({ type: 'P' }),
    serialize.execute(),
    serialize.sync(),
  ];
}

function pipelineBytes(): Buffer {
  return Buffer.concat([
    ...extendedRound('select $1::int4', ['1']),
    ...extendedRound('select $1::text, $2::int8', ['two', '2']),
    serialize.query('select * from generate_series(1, 2)'),
    ...extendedRound('select * from generate_series(1, 3)'),
  ]);
}

const pipelineExpected = [
  'parseComplete', 'bindComplete', 'rowDescription', 'D:1', 'C:SELECT 1', 'Z:I',
  'parseComplete', 'bindComplete', 'rowDescription', 'D:two|2', 'C:SELECT 1', 'Z:I',
  'rowDescription', 'D:1', 'D:2', 'C:SELECT 2', 'Z:I',
  'parseComplete', 'bindComplete', 'rowDescription', 'D:1', 'D:2', 'D:3', 'C:SELECT 3', 'Z:I',
];

describe('pipelining', () => {
  it('answers several batches sent in one write, in order', async () => {
    const c = await RawClient.login(t.port);
    c.write(pipelineBytes());
    await c.waitForReady(4);
    expect(summary(c.messages)).toEqual(pipelineExpected);
    c.end();
  });

  it('answers the same when the bytes arrive in arbitrary pieces', async () => {
    const bytes = pipelineBytes();
    for (const cuts of [[1, 2, 3, 7, 8, 30, 31, 100], [5, 6, 17, 60, 61, 62, 150, 151], [bytes.length - 1]]) {
      const c = await RawClient.login(t.port);
      let at = 0;
      for (const cut of [...cuts, bytes.length]) {
        c.socket.write(bytes.subarray(at, cut));
        at = cut;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await c.waitForReady(4);
      expect(summary(c.messages)).toEqual(pipelineExpected);
      c.end();
    }
  });

  it('answers a batch fed one byte at a time', async () => {
    const c = await RawClient.login(t.port);
    const bytes = Buffer.concat(extendedRound('select $1::int4', ['7']));
    for (const byte of bytes) {
      c.socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await c.waitForReady(1);
    expect(summary(c.messages)).toEqual(['parseComplete', 'bindComplete', 'rowDescription', 'D:7', 'C:SELECT 1', 'Z:I']);
    c.end();
  });
});

describe('extended protocol', () => {
  it('suspends a row-limited portal and resumes it', async () => {
    const c = await RawClient.login(t.port);
    c.write(
      serialize.parse({ name: 'series', text: 'select * from generate_series(1, 5)' }),
      serialize.bind({ statement: 'series', portal: 'c1' }),
      serialize.execute({ portal: 'c1', rows: 2 }),
      serialize.execute({ portal: 'c1', rows: 2 }),
      serialize.execute({ portal: 'c1', rows: 2 }),
      serialize.sync(),
    );
    await c.waitForReady(1);
    expect(summary(c.messages)).toEqual([
      'parseComplete', 'bindComplete', 'D:1', 'D:2', 'portalSuspended', 'D:3', 'D:4', 'portalSuspended', 'D:5', 'C:SELECT 5', 'Z:I',
    ]);
    c.end();
  });

  it('skips to Sync after an error', async () => {
    const c = await RawClient.login(t.port);
    c.write(
      serialize.parse({ text: 'nonsense' }),
      serialize.bind(),
      serialize.execute(),
      serialize.sync(),
      ...extendedRound('select 1'),
    );
    await c.waitForReady(2);
    expect(summary(c.messages)).toEqual(['E:42601', 'Z:I', 'parseComplete', 'bindComplete', 'rowDescription', 'D:1', 'C:SELECT 1', 'Z:I']);
    c.end();
  });

  it('describes statements and portals, closes them, and reports unknown names', async () => {
    const c = await RawClient.login(t.port);
    c.write(
      serialize.parse({ name: 's1', text: 'select $1::int8, $2::text' }),
      serialize.describe({ type: 'S', name: 's1' }),
      serialize.parse({ name: 's2', text: 'begin' }),
      serialize.describe({ type: 'S', name: 's2' }),
      serialize.close({ type: 'S', name: 's1' }),
      serialize.close({ type: 'P', name: 'nope' }),
      serialize.sync(),
      serialize.describe({ type: 'S', name: 's1' }),
      serialize.sync(),
    );
    await c.waitForReady(2);
    expect(summary(c.messages)).toEqual([
      'parseComplete', 'parameterDescription', 'rowDescription', 'parseComplete', 'parameterDescription', 'noData',
      'closeComplete', 'closeComplete', 'Z:I', 'E:26000', 'Z:I',
    ]);
    const pd = c.messages[1] as BackendMessage & { dataTypeIDs: number[] };
    expect(pd.dataTypeIDs).toEqual([20, 25]);
    c.end();
  });

  it('sends binary results the codecs read back', async () => {
    const c = await RawClient.login(t.port);
    c.write(
      serialize.parse({ text: 'select * from items' }),
      serialize.bind({ binary: true }),
      serialize.describe({ type: 'P' }),
      serialize.execute(),
      serialize.sync(),
    );
    await c.waitForReady(1);
    const rd = c.messages.find((m) => m.name === 'rowDescription') as BackendMessage & { fields: { format: string }[] };
    expect(rd.fields.every((f) => f.format === 'binary')).toBe(true);
    const rows = c.dataRows();
    expect(rows).toHaveLength(itemsRows.length);
    rows.forEach((fields, r) => {
      fields.forEach((bytes, i) => {
        const codec = codecFor(itemsColumns[i]!.typeOid)!;
        const expected = itemsRows[r]![i];
        if (bytes === null) {
          expect(expected).toBeNull();
          return;
        }
        const decoded = codec.parseBinary(bytes);
        if (typeof expected === 'number' && typeof decoded === 'bigint') expect(decoded).toBe(BigInt(expected));
        else if (expected instanceof Uint8Array) expect(Buffer.from(decoded as Uint8Array)).toEqual(Buffer.from(expected));
        else expect(decoded).toEqual(expected);
      });
    });
    c.end();
  });

  it('takes binary parameters and per-column result formats', async () => {
    const c = await RawClient.login(t.port);
    const int4 = Buffer.alloc(4);
    int4.writeInt32BE(-5);
    c.write(
      serialize.parse({ text: 'select $1::int4, $2::text' }),
      // One format per parameter (binary, text) and one per column (text, binary).
      bindWithFormats([1, 0], [int4, Buffer.from('hi')], [0, 1]),
      serialize.execute(),
      serialize.sync(),
    );
    await c.waitForReady(1);
    expect(c.dataRows()).toEqual([[Buffer.from('-5'), Buffer.from('hi')]]);
    expect(t.engine.lastParams).toEqual([-5, 'hi']);
    c.end();
  });

  it('rejects bad format codes and parameter counts without closing', async () => {
    const c = await RawClient.login(t.port);
    c.write(
      serialize.parse({ text: 'select $1::int4' }),
      bindWithFormats([7], [Buffer.from('1')], []),
      serialize.sync(),
      bindWithFormats([], [Buffer.from('1'), Buffer.from('2')], []),
      serialize.sync(),
      bindWithFormats([], [Buffer.from('1')], [0, 0]),
      serialize.sync(),
    );
    await c.waitForReady(3);
    expect(summary(c.messages)).toEqual(['parseComplete', 'E:22023', 'Z:I', 'E:08P01', 'Z:I', 'E:08P01', 'Z:I']);
    expect(c.closed).toBe(false);
    c.end();
  });

  it('answers an empty query in both protocols', async () => {
    const c = await RawClient.login(t.port);
    c.write(serialize.query(''), ...extendedRound(''));
    await c.waitForReady(2);
    expect(summary(c.messages)).toEqual(['emptyQuery', 'Z:I', 'parseComplete', 'bindComplete', 'noData', 'emptyQuery', 'Z:I']);
    c.end();
  });

  it('stops a simple query string at the first error', async () => {
    const c = await RawClient.login(t.port);
    c.write(serialize.query('select 1; select 1/0; select 1'));
    await c.waitForReady(1);
    expect(summary(c.messages)).toEqual(['rowDescription', 'D:1', 'C:SELECT 1', 'E:22012', 'Z:I']);
    c.end();
  });

  it('reports transaction status in ReadyForQuery', async () => {
    const c = await RawClient.login(t.port);
    c.write(serialize.query('begin'), serialize.query('select 1/0'), serialize.query('rollback'));
    await c.waitForReady(3);
    expect(summary(c.messages).filter((s) => s.startsWith('Z') || s.startsWith('C') || s.startsWith('E'))).toEqual([
      'C:BEGIN', 'Z:T', 'E:22012', 'Z:E', 'C:ROLLBACK', 'Z:I',
    ]);
    c.end();
  });
});

/** A Bind with explicit parameter and result format codes (pg-protocol's serializer sends one code for all). */
function bindWithFormats(paramFormats: number[], values: Buffer[], resultFormats: number[]): Buffer {
  const parts: Buffer[] = [Buffer.from('\0\0')];
  const i16 = (n: number) => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return b;
  };
  parts.push(i16(paramFormats.length), ...paramFormats.map(i16), i16(values.length));
  for (const v of values) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(v.length);
    parts.push(len, v);
  }
  parts.push(i16(resultFormats.length), ...resultFormats.map(i16));
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(5);
  header[0] = 0x42;
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** A typed message with an arbitrary body. */
function message(type: string, body: Buffer, length = body.length + 4): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type.charCodeAt(0);
  header.writeInt32BE(length, 1);
  return Buffer.concat([header, body]);
}

describe('COPY', () => {
  it('copies text rows in and out', async () => {
    const c = await RawClient.login(t.port);
    c.write(serialize.query('copy things from stdin'));
    await c.waitFor((m) => m.name === 'copyInResponse');
    c.write(serialize.copyData(Buffer.from('1\tone\n2\t')), serialize.copyData(Buffer.from('\\N\n3\tth')), serialize.copyData(Buffer.from('ree\n')));
    c.write(serialize.copyDone());
    await c.waitForReady(1);
    expect(summary(c.messages)).toEqual(['copyInResponse', 'C:COPY 3', 'Z:I']);
    c.clear();
    c.write(serialize.query('copy things to stdout'));
    await c.waitForReady(1);
    expect(summary(c.messages)).toEqual(['copyOutResponse', 'copyData', 'copyData', 'copyData', 'copyDone', 'C:COPY 3', 'Z:I']);
    const data = c.frames.filter((f) => f.type === 'd').map((f) => f.body.toString()).join('');
    expect(data).toBe('1\tone\n2\t\\N\n3\tthree\n');
    c.end();
  });

  it('fails a COPY on CopyFail and ignores leftover copy messages', async () => {
    const c = await RawClient.login(t.port);
    c.write(serialize.query('copy failing from stdin'));
    await c.waitFor((m) => m.name === 'copyInResponse');
    c.write(serialize.copyData(Buffer.from('1\n')), serialize.copyFail('client gave up'));
    await c.waitForReady(1);
    const error = c.messages.find((m) => m.name === 'error') as BackendMessage & { code: string; message: string };
    expect(error.code).toBe('57014');
    expect(error.message).toBe('COPY from stdin failed: client gave up');
    c.clear();
    c.write(serialize.copyData(Buffer.from('stray\n')), serialize.copyDone(), serialize.query('select 1'));
    await c.waitForReady(1);
    expect(summary(c.messages)).toEqual(['rowDescription', 'D:1', 'C:SELECT 1', 'Z:I']);
    c.end();
  });

  it('copies CSV with a header through the extended protocol', async () => {
    const c = await RawClient.login(t.port);
    c.write(...extendedRound('copy csvthings from stdin csv header'));
    await c.waitFor((m) => m.name === 'copyInResponse');
    c.write(serialize.copyData(Buffer.from('a,b\n1,"x,y"\n2,\n')), serialize.copyDone(), serialize.sync());
    await c.waitForReady(1);
    expect(summary(c.messages)).toEqual(['parseComplete', 'bindComplete', 'noData', 'copyInResponse', 'C:COPY 2', 'Z:I']);
    expect(t.engine.tables.get('csvthings')).toEqual([['1', 'x,y'], ['2', null]]);
    c.end();
  });
});

describe('cancel', () => {
  it('a CancelRequest from a second connection cancels the running statement', async () => {
    const c = await RawClient.connect(t.port);
    c.write(serialize.startup({ user: 'root', database: 'db' }));
    const key = (await c.waitFor((m) => m.name === 'backendKeyData')) as BackendMessage & { processID: number; secretKey: number };
    await c.waitForReady(1);
    c.clear();
    c.write(serialize.query('select pg_sleep(20)'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // A wrong secret does nothing.
    const wrong = await RawClient.connect(t.port);
    wrong.write(serialize.cancel(key.processID, key.secretKey ^ 1));
    await wrong.waitClosed();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(c.messages.some((m) => m.name === 'error')).toBe(false);
    const right = await RawClient.connect(t.port);
    right.write(serialize.cancel(key.processID, key.secretKey));
    await right.waitClosed();
    await c.waitForReady(1);
    expect(summary(c.messages).filter((s) => s.startsWith('E') || s.startsWith('Z'))).toEqual(['E:57014', 'Z:I']);
    c.write(serialize.query('select 1'));
    await c.waitForReady(2);
    c.end();
  });
});

describe('startup', () => {
  it('answers SSLRequest and GSSENCRequest with N when TLS is off', async () => {
    const c = await RawClient.connect(t.port);
    c.write(serialize.requestSsl());
    expect(await c.readRawByte()).toBe('N');
    const gss = Buffer.alloc(8);
    gss.writeInt32BE(8);
    gss.writeInt32BE(80877104, 4);
    c.write(gss);
    expect(await c.readRawByte()).toBe('N');
    c.write(serialize.startup({ user: 'root', database: 'db' }));
    await c.waitForReady(1);
    c.end();
  });

  it('negotiates down from a newer minor version and unknown protocol options', async () => {
    const c = await RawClient.connect(t.port);
    const params = Buffer.from('user\0root\0_pq_.future\0on\0\0');
    const packet = Buffer.alloc(8);
    packet.writeInt32BE(8 + params.length);
    packet.writeInt32BE((3 << 16) | 2, 4);
    c.write(packet, params);
    await c.waitForReady(1);
    const v = c.frames.find((f) => f.type === 'v');
    expect(v).toBeDefined();
    expect(v!.body.readInt32BE(0)).toBe(3 << 16);
    expect(v!.body.readInt32BE(4)).toBe(1);
    expect(v!.body.subarray(8).toString()).toBe('_pq_.future\0');
    c.end();
  });

  it('refuses protocol 2 and a startup packet without a user', async () => {
    const old = await RawClient.connect(t.port);
    const packet = Buffer.alloc(8);
    packet.writeInt32BE(8);
    packet.writeInt32BE(2 << 16, 4);
    old.write(packet, Buffer.from([0]));
    await old.waitClosed();
    expect((old.messages[0] as Named).code).toBe('0A000');
    const nouser = await RawClient.connect(t.port);
    nouser.write(serialize.startup({ database: 'db' }));
    await nouser.waitClosed();
    expect((nouser.messages[0] as Named).code).toBe('28000');
  });
});

describe('hostile input', () => {
  async function expectProtocolViolation(bytes: Buffer, loggedIn: boolean): Promise<void> {
    const c = loggedIn ? await RawClient.login(t.port) : await RawClient.connect(t.port);
    c.write(bytes);
    await c.waitClosed();
    const error = c.messages.find((m) => m.name === 'error') as Named | undefined;
    expect(error?.code).toBe('08P01');
  }

  it('closes on garbage before the startup packet', async () => {
    await expectProtocolViolation(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), false);
  });

  it('closes on an oversized startup packet before buffering it', async () => {
    const header = Buffer.alloc(8);
    header.writeInt32BE(1_000_000);
    header.writeInt32BE(3 << 16, 4);
    await expectProtocolViolation(header, false);
  });

  it('closes on an oversized message length before buffering it', async () => {
    await expectProtocolViolation(message('Q', Buffer.alloc(0), 0x7fffffff), true);
  });

  it('closes on a length word below 4', async () => {
    await expectProtocolViolation(message('Q', Buffer.alloc(0), 2), true);
  });

  it('closes on an unknown message type', async () => {
    await expectProtocolViolation(message('z', Buffer.from('abc')), true);
  });

  it('closes on a string without its terminator', async () => {
    await expectProtocolViolation(message('Q', Buffer.from('select 1')), true);
  });

  it('closes on a Bind whose parameters run past its end', async () => {
    const body = Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 100, 1, 2]);
    await expectProtocolViolation(message('B', body), true);
  });

  it('closes on a Sync with a body', async () => {
    await expectProtocolViolation(message('S', Buffer.from([1])), true);
  });

  it('answers invalid UTF-8 with 22021 and keeps the connection', async () => {
    const c = await RawClient.login(t.port);
    c.write(message('Q', Buffer.from([0x73, 0xff, 0xfe, 0])));
    await c.waitForReady(1);
    expect(summary(c.messages)).toEqual(['E:22021', 'Z:I']);
    c.end();
  });

  it('answers a function call with 0A000', async () => {
    const c = await RawClient.login(t.port);
    c.write(message('F', Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0])));
    await c.waitForReady(1);
    expect(summary(c.messages)).toEqual(['E:0A000', 'Z:I']);
    c.end();
  });

  it('keeps serving other connections throughout', async () => {
    const c = await RawClient.login(t.port);
    c.write(serialize.query('select 1'));
    await c.waitForReady(1);
    c.end();
  });
});

describe('session end', () => {
  it('Terminate closes the connection and the engine session', async () => {
    const c = await RawClient.login(t.port);
    const before = t.engine.sessions.size;
    c.write(serialize.end());
    await c.waitClosed();
    for (let i = 0; i < 50 && t.engine.sessions.size >= before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(t.engine.sessions.size).toBe(before - 1);
  });
});
