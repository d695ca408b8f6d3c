/** PgServer's limits and lifecycle: connection limit, timeouts (real and injected), backpressure, draining close. */
import { connect } from 'node:net';
import { serialize } from 'pg-protocol';
import { describe, expect, it } from 'vitest';
import type { Timers } from './options.ts';
import { RawClient, startTestServer } from './test-server.test-helper.ts';

type Coded = { name: string; code?: string; message?: string };

describe('PgServer limits', () => {
  it('refuses sessions beyond connectionsMax with 53300 and admits again after one leaves', async () => {
    const t = await startTestServer({ connectionsMax: 2 });
    try {
      const a = await RawClient.login(t.port);
      const b = await RawClient.login(t.port);
      const c = await RawClient.connect(t.port);
      c.write(serialize.startup({ user: 'root', database: 'db' }));
      await c.waitClosed();
      expect(c.messages[0]).toMatchObject({ name: 'error', code: '53300', message: 'sorry, too many clients already' });
      a.end();
      for (let i = 0; i < 100 && t.server.sessionCount > 1; i++) await new Promise((r) => setTimeout(r, 10));
      const d = await RawClient.login(t.port);
      d.end();
      b.end();
    } finally {
      await t.close();
    }
  });

  it('closes a connection that does not start up in time', async () => {
    const t = await startTestServer({ startupTimeoutMs: 100 });
    try {
      const silent = await RawClient.connect(t.port);
      await silent.waitClosed(3000);
      const stuck = await RawClient.connect(t.port);
      stuck.write(serialize.startup({ user: 'alice', database: 'db' }));
      await stuck.waitClosed(3000);
      const error = stuck.messages.find((m) => m.name === 'error') as Coded | undefined;
      expect(error?.code).toBe('57014');
      const ok = await RawClient.login(t.port);
      ok.end();
    } finally {
      await t.close();
    }
  });

  it('ends idle sessions with 57P05 (injected timers)', async () => {
    const pending = new Map<number, { callback: () => void; ms: number }>();
    let next = 0;
    const timers: Timers = {
      setTimeout: (callback, ms) => {
        pending.set(++next, { callback, ms });
        return next;
      },
      clearTimeout: (handle) => void pending.delete(handle as number),
    };
    const t = await startTestServer({ idleTimeoutMs: 60_000, timers });
    try {
      const c = await RawClient.login(t.port);
      c.write(serialize.query('select 1'));
      await c.waitForReady(1);
      await new Promise((r) => setTimeout(r, 20));
      const idle = [...pending.values()].filter((p) => p.ms === 60_000);
      expect(idle).toHaveLength(1);
      idle[0]!.callback();
      await c.waitClosed();
      expect(c.messages.find((m) => m.name === 'error')).toMatchObject({ code: '57P05' });
    } finally {
      await t.close();
    }
  });
});

describe('PgServer backpressure', () => {
  it('stops producing rows while the client does not read', async () => {
    const t = await startTestServer();
    try {
      const total = 1_000_000;
      const socket = connect(t.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      let received: Buffer = Buffer.alloc(0);
      let dataRows = 0;
      let done = false;
      const onData = (chunk: Buffer) => {
        received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
        let at = 0;
        while (received.length - at >= 5) {
          const length = received.readInt32BE(at + 1);
          if (received.length - at < length + 1) break;
          const type = received[at];
          if (type === 0x44) dataRows++;
          if (type === 0x5a && dataRows === total) done = true;
          at += length + 1;
        }
        received = received.subarray(at);
      };
      socket.on('data', onData);
      socket.write(serialize.startup({ user: 'root', database: 'db' }));
      for (let i = 0; i < 100 && received.length === 0 && dataRows === 0; i++) await new Promise((r) => setTimeout(r, 10));
      socket.pause();
      socket.write(serialize.query(`select * from generate_series(1, ${total})`));
      await new Promise((r) => setTimeout(r, 400));
      const producedWhilePaused = t.engine.rowsProduced;
      expect(producedWhilePaused).toBeGreaterThan(0);
      expect(producedWhilePaused).toBeLessThan(total / 2);
      socket.resume();
      for (let i = 0; i < 1000 && !done; i++) await new Promise((r) => setTimeout(r, 10));
      expect(dataRows).toBe(total);
      expect(done).toBe(true);
      socket.destroy();
    } finally {
      await t.close();
    }
  });
});

describe('PgServer close', () => {
  it('ends idle sessions at once and busy ones after their statement', async () => {
    const t = await startTestServer();
    const idle = await RawClient.login(t.port);
    const busy = await RawClient.login(t.port);
    busy.write(serialize.query('select pg_sleep(0.3)'));
    await new Promise((r) => setTimeout(r, 50));
    const closing = t.server.close();
    await idle.waitClosed();
    expect(idle.messages.find((m) => m.name === 'error')).toMatchObject({ code: '57P01' });
    await busy.waitClosed();
    const names = busy.messages.map((m) => (m.name === 'error' ? `E:${(m as Coded).code}` : m.name));
    expect(names).toEqual(['rowDescription', 'dataRow', 'commandComplete', 'readyForQuery', 'E:57P01']);
    await closing;
    expect(t.server.connectionCount).toBe(0);
    await expect(RawClient.connect(t.port)).rejects.toThrow();
  });
});
