/**
 * `PgServerOptions`, their defaults, and the session parameters reported to
 * every client after login.
 */
import { randomBytes } from 'node:crypto';
import { assert } from './assert.ts';
import type { SessionFactory } from './engine.ts';
import {
  closeGraceMsDefault, connectionsMaxDefault, idleTimeoutMsDefault, startupTimeoutMsDefault,
} from './limits.ts';

/** Timer functions, injectable so tests can drive timeouts. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A TLS identity: PEM key and certificate (see `generateSelfSignedCertificate` for a demo one). */
export interface TlsIdentity {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
}

export interface PgServerOptions {
  /** The engine: authentication policy, verifiers, sessions. */
  readonly sessions: SessionFactory;
  /** With an identity, SSLRequest is answered 'S' and the connection upgraded; without, 'N'. */
  readonly tls?: TlsIdentity | null;
  /** Open sessions before 53300; default `connectionsMaxDefault`. */
  readonly connectionsMax?: number;
  /** Startup and authentication must finish within this; default 60 s. */
  readonly startupTimeoutMs?: number;
  /** Idle sessions end with 57P05 after this; 0 (default) never. */
  readonly idleTimeoutMs?: number;
  /** `close()` waits this long for busy connections; default 5 s. */
  readonly closeGraceMs?: number;
  /** Extra or overriding ParameterStatus values reported at login (e.g. server_version). */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Allow the 'password' method over plain TCP (else such logins use SCRAM). Default false. */
  readonly allowCleartextWithoutTls?: boolean;
  readonly timers?: Timers;
  /** Bugs (non-`SqlError` throws) land here; the client sees XX000. Default: console.error. */
  readonly onInternalError?: (error: unknown) => void;
  /** Random bytes for nonces, secrets and keys; injectable for tests. Default node:crypto. */
  readonly randomBytes?: (size: number) => Uint8Array;
}

/** The server version clients see. Drivers parse it, so it stays PostgreSQL-shaped; Meridian's own version is for version(). */
export const serverVersionDefault = '15.0';

/** ParameterStatus values every session starts with (protocol "ParameterStatus" list of PostgreSQL 15). */
export const defaultReportedParameters: Readonly<Record<string, string>> = {
  server_version: serverVersionDefault,
  server_encoding: 'UTF8',
  client_encoding: 'UTF8',
  DateStyle: 'ISO, MDY',
  TimeZone: 'UTC',
  IntervalStyle: 'postgres',
  integer_datetimes: 'on',
  standard_conforming_strings: 'on',
  is_superuser: 'off',
  default_transaction_read_only: 'off',
  in_hot_standby: 'off',
};

export interface ResolvedOptions {
  readonly sessions: SessionFactory;
  readonly tls: TlsIdentity | null;
  readonly connectionsMax: number;
  readonly startupTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly closeGraceMs: number;
  readonly parameters: Readonly<Record<string, string>>;
  readonly allowCleartextWithoutTls: boolean;
  readonly timers: Timers;
  readonly onInternalError: (error: unknown) => void;
  readonly randomBytes: (size: number) => Uint8Array;
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Fills in defaults and checks the options. */
export function resolveOptions(options: PgServerOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    sessions: options.sessions,
    tls: options.tls ?? null,
    connectionsMax: options.connectionsMax ?? connectionsMaxDefault,
    startupTimeoutMs: options.startupTimeoutMs ?? startupTimeoutMsDefault,
    idleTimeoutMs: options.idleTimeoutMs ?? idleTimeoutMsDefault,
    closeGraceMs: options.closeGraceMs ?? closeGraceMsDefault,
    parameters: { ...defaultReportedParameters, ...options.parameters },
    allowCleartextWithoutTls: options.allowCleartextWithoutTls ?? false,
    timers: options.timers ?? realTimers,
    onInternalError: options.onInternalError ?? ((error) => console.error('pgwire: internal error', error)),
    randomBytes: options.randomBytes ?? randomBytes,
  };
  assert(Number.isInteger(resolved.connectionsMax) && resolved.connectionsMax >= 1, 'connectionsMax is a positive integer');
  assert(resolved.startupTimeoutMs > 0, 'startupTimeoutMs is positive');
  assert(resolved.idleTimeoutMs >= 0, 'idleTimeoutMs is zero or positive');
  assert(resolved.closeGraceMs >= 0, 'closeGraceMs is zero or positive');
  return resolved;
}
