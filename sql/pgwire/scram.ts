/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it, server side.
 *
 * Passwords are never stored: a verifier keeps the salt, the iteration count
 * and two keys derived from the password, in pg_authid's text format
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64).
 * The exchange: the client sends client-first (gs2 header, user, nonce); the
 * server answers server-first (nonce + own nonce, salt, iterations); the
 * client proves it knows the password with client-final (ClientProof); the
 * server checks H(ClientProof ⊕ HMAC(StoredKey, AuthMessage)) = StoredKey
 * and proves itself back with v=HMAC(ServerKey, AuthMessage).
 *
 * As in PostgreSQL: the user name inside SCRAM is ignored (the startup
 * packet's user counts); channel binding is not offered (SCRAM-SHA-256 only,
 * gs2 flag "n" or "y"); an unknown user gets a mock exchange with a salt
 * derived from a server secret, failing at the proof exactly like a wrong
 * password, so existence does not leak. Only node:crypto is used.
 */
import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { assert } from './assert.ts';
import { SqlError } from './errors.ts';
import { scramIterationsDefault, scramIterationsMax, scramNonceBytes, scramSaltBytes } from './limits.ts';
import { featureNotSupported, invalidPassword, protocolViolation } from './sqlstate.ts';

/** The SASL mechanism name. */
export const scramMechanism = 'SCRAM-SHA-256';
const keyBytes = 32;

/** A parsed verifier: what the server keeps per user instead of a password. */
export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

function hmac(key: Uint8Array, message: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

function keysFromSaltedPassword(salted: Buffer): { storedKey: Buffer; serverKey: Buffer } {
  return { storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/** RFC 3454 table B.1: characters SASLprep maps to nothing. */
const mappedToNothing = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/gu;
/** RFC 3454 table C.1.2: non-ASCII spaces SASLprep maps to SPACE. */
const nonAsciiSpace = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu;
/** Prohibited output (RFC 4013 2.3): controls, private use, non-characters, surrogates, and similar. */
const prohibited =
  /[\u0000-\u001F\u007F-\u009F\u06DD\u070F\u180E\u200E\u200F\u202A-\u202E\u2060-\u2063\u206A-\u206F\u2FF0-\u2FFB\uD800-\uDFFF\uE000-\uF8FF\uFDD0-\uFDEF\uFFF9-\uFFFF]|[\u{F0000}-\u{10FFFF}]|[\u{1D173}-\u{1D17A}]|[\u{E0001}\u{E0020}-\u{E007F}]/u;

/**
 * SASLprep (RFC 4013) of a password, as PostgreSQL applies it: mapping and
 * NFKC normalisation; a password that is ASCII, or that SASLprep would
 * reject, is used as it is. (The bidirectional-text check is not done:
 * such passwords normalise the same way on both sides anyway.)
 */
export function saslPrep(password: string): string {
  if (/^[\x00-\x7F]*$/.test(password)) return password;
  const prepared = password.replace(nonAsciiSpace, ' ').replace(mappedToNothing, '').normalize('NFKC');
  if (prepared.length === 0 || prohibited.test(prepared)) return password;
  return prepared;
}

export interface MakeScramVerifierOptions {
  readonly iterations?: number;
  /** The salt; random `scramSaltBytes` bytes by default. */
  readonly salt?: Uint8Array;
}

/** Derives the stored verifier of `password` (PBKDF2-HMAC-SHA-256); synchronous, a few ms at 4096 iterations. */
export function makeScramVerifier(password: string, options: MakeScramVerifierOptions = {}): string {
  const iterations = options.iterations ?? scramIterationsDefault;
  assert(Number.isInteger(iterations) && iterations >= 1 && iterations <= scramIterationsMax, 'SCRAM iterations in range');
  const salt = Buffer.from(options.salt ?? randomBytes(scramSaltBytes));
  const salted = pbkdf2Sync(saslPrep(password), salt, iterations, keyBytes, 'sha256');
  const { storedKey, serverKey } = keysFromSaltedPassword(salted);
  return `${scramMechanism}$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(text: string): Buffer | null {
  return base64Pattern.test(text) ? Buffer.from(text, 'base64') : null;
}

/** Parses a stored verifier; null when it is not a well-formed SCRAM-SHA-256 verifier (the user then cannot log in). */
export function parseScramVerifier(text: string): ScramVerifier | null {
  const m = /^SCRAM-SHA-256\$(\d{1,10}):([^$]+)\$([^:]+):(.+)$/.exec(text);
  if (m === null) return null;
  const iterations = Number(m[1]);
  const salt = decodeBase64(m[2]!);
  const storedKey = decodeBase64(m[3]!);
  const serverKey = decodeBase64(m[4]!);
  if (iterations < 1 || iterations > scramIterationsMax || salt === null || salt.length === 0) return null;
  if (storedKey?.length !== keyBytes || serverKey?.length !== keyBytes) return null;
  return { iterations, salt, storedKey, serverKey };
}

/** Checks a cleartext password against a verifier (password authentication); PBKDF2 runs off the event loop. */
export async function verifyCleartextPassword(verifierText: string | null, password: string): Promise<boolean> {
  const verifier = verifierText === null ? null : parseScramVerifier(verifierText);
  if (verifier === null) return false;
  const salted = await new Promise<Buffer>((resolve, reject) => {
    pbkdf2(saslPrep(password), verifier.salt, verifier.iterations, keyBytes, 'sha256', (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
  const { storedKey, serverKey } = keysFromSaltedPassword(salted);
  const storedOk = timingSafeEqual(storedKey, verifier.storedKey);
  const serverOk = timingSafeEqual(serverKey, verifier.serverKey);
  return storedOk && serverOk;
}

/** 28P01 for a failed login; the same for an unknown user. */
export function passwordFailed(user: string): SqlError {
  return new SqlError(invalidPassword, `password authentication failed for user "${user}"`, { severity: 'FATAL' });
}

function malformed(detail: string): SqlError {
  return new SqlError(protocolViolation, 'malformed SCRAM message', { severity: 'FATAL', detail });
}

/** Splits "a=1,b=2" into attributes, in order; fails on anything else. */
function attributes(message: string): [name: string, value: string][] {
  return message.split(',').map((part) => {
    if (part.length < 2 || part[1] !== '=' || !/^[a-zA-Z]$/.test(part[0]!)) throw malformed(`invalid attribute "${part}"`);
    return [part[0]!, part.slice(2)];
  });
}

/** Printable ASCII except ',' (RFC 5802 "printable"). */
const noncePattern = /^[\x21-\x2B\x2D-\x7E]+$/;

export interface ScramExchangeOptions {
  /** The user's verifier, or null for an unknown user or one without a usable verifier (mock exchange). */
  readonly verifier: ScramVerifier | null;
  /** The startup packet's user: names the failure and seeds the mock salt. */
  readonly user: string;
  /** A per-server secret that makes mock salts stable per user but unpredictable. */
  readonly mockSecret: Uint8Array;
  /** Random bytes for the server nonce (injectable for tests). */
  readonly randomBytes?: (size: number) => Uint8Array;
}

type ExchangeState =
  | { readonly step: 'initial' }
  | { readonly step: 'sentServerFirst'; readonly gs2Header: string; readonly nonce: string; readonly authPrefix: string }
  | { readonly step: 'done' };

/** The server side of one SCRAM-SHA-256 exchange: client-first → server-first → client-final → server-final. */
export class ScramServerExchange {
  readonly #options: ScramExchangeOptions;
  readonly #verifier: ScramVerifier;
  readonly #mock: boolean;
  #state: ExchangeState = { step: 'initial' };

  constructor(options: ScramExchangeOptions) {
    this.#options = options;
    this.#mock = options.verifier === null;
    this.#verifier = options.verifier ?? {
      iterations: scramIterationsDefault,
      salt: hmac(options.mockSecret, `salt:${options.user}`).subarray(0, scramSaltBytes),
      storedKey: hmac(options.mockSecret, `stored:${options.user}`),
      serverKey: hmac(options.mockSecret, `server:${options.user}`),
    };
  }

  /** Takes client-first-message, returns server-first-message. */
  clientFirst(message: string): string {
    assert(this.#state.step === 'initial', 'client-first comes first');
    const flag = message[0];
    if (flag === 'p') throw malformed('channel binding is not supported by this server');
    if ((flag !== 'n' && flag !== 'y') || message[1] !== ',') throw malformed('invalid gs2 header');
    const authzEnd = message.indexOf(',', 2);
    if (authzEnd < 0) throw malformed('invalid gs2 header');
    if (authzEnd !== 2) throw new SqlError(featureNotSupported, 'client uses authorization identity, but it is not supported', { severity: 'FATAL' });
    const gs2Header = message.slice(0, authzEnd + 1);
    const bare = message.slice(authzEnd + 1);
    const attrs = attributes(bare);
    if (attrs[0]?.[0] === 'm') throw new SqlError(featureNotSupported, 'client requires an unsupported SCRAM extension', { severity: 'FATAL' });
    if (attrs[0]?.[0] !== 'n') throw malformed('expected the user name attribute');
    const clientNonce = attrs[1]?.[0] === 'r' ? attrs[1][1] : null;
    if (clientNonce === null || !noncePattern.test(clientNonce)) throw malformed('expected a nonce');
    const random = this.#options.randomBytes ?? randomBytes;
    const serverNonce = Buffer.from(random(scramNonceBytes)).toString('base64');
    const nonce = clientNonce + serverNonce;
    const serverFirst = `r=${nonce},s=${this.#verifier.salt.toString('base64')},i=${this.#verifier.iterations}`;
    this.#state = { step: 'sentServerFirst', gs2Header, nonce, authPrefix: `${bare},${serverFirst}` };
    return serverFirst;
  }

  /**
   * Takes client-final-message; returns server-final-message when the proof
   * holds, and throws 28P01 when it does not (or the user is unknown).
   */
  clientFinal(message: string): string {
    const state = this.#state;
    assert(state.step === 'sentServerFirst', 'client-final follows server-first');
    this.#state = { step: 'done' };
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) throw malformed('expected a proof');
    const withoutProof = message.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    const binding = attrs[0]?.[0] === 'c' ? decodeBase64(attrs[0][1]) : null;
    if (binding === null || binding.toString('latin1') !== state.gs2Header) throw malformed('unexpected channel binding data');
    if (attrs[1]?.[0] !== 'r' || attrs[1][1] !== state.nonce) throw malformed('nonce does not match');
    const proof = decodeBase64(message.slice(proofAt + 3));
    if (proof === null || proof.length !== keyBytes) throw malformed('invalid proof');
    const authMessage = `${state.authPrefix},${withoutProof}`;
    const clientSignature = hmac(this.#verifier.storedKey, authMessage);
    const clientKey = Buffer.alloc(keyBytes);
    for (let i = 0; i < keyBytes; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const matches = timingSafeEqual(sha256(clientKey), this.#verifier.storedKey);
    if (!matches || this.#mock) throw passwordFailed(this.#options.user);
    return `v=${hmac(this.#verifier.serverKey, authMessage).toString('base64')}`;
  }
}
