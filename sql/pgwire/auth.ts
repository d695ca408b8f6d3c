/**
 * The password dialogues after the StartupMessage: SCRAM-SHA-256 (SASL:
 * AuthenticationSASL → SASLInitialResponse → AuthenticationSASLContinue →
 * SASLResponse → AuthenticationSASLFinal) and cleartext password
 * (AuthenticationCleartextPassword → PasswordMessage). Both check against the
 * user's stored SCRAM verifier; failures are FATAL 28P01, malformed
 * messages FATAL 08P01. AuthenticationOk is the connection's to send.
 */
import { assert } from './assert.ts';
import { authCleartextPassword, authSaslContinue, authSaslFinal, writeAuthentication, writeAuthenticationSasl } from './backend.ts';
import type { SessionFactory } from './engine.ts';
import { protocolError } from './errors.ts';
import { MessageReader, checkUtf8 } from './reader.ts';
import { parseScramVerifier, passwordFailed, scramMechanism, ScramServerExchange, verifyCleartextPassword } from './scram.ts';
import type { BufferWriter } from './writer.ts';

export interface PasswordAuthOptions {
  readonly method: 'scram-sha-256' | 'password';
  readonly user: string;
  readonly sessions: SessionFactory;
  readonly mockSecret: Uint8Array;
  readonly randomBytes?: (size: number) => Uint8Array;
}

/** One password dialogue; `step` takes each PasswordMessage-type ('p') body. */
export class PasswordAuth {
  readonly #options: PasswordAuthOptions;
  readonly #verifier: string | null;
  readonly #exchange: ScramServerExchange | null;
  #steps = 0;

  private constructor(options: PasswordAuthOptions, verifier: string | null) {
    this.#options = options;
    this.#verifier = verifier;
    this.#exchange =
      options.method === 'scram-sha-256'
        ? new ScramServerExchange({
            verifier: verifier === null ? null : parseScramVerifier(verifier),
            user: options.user,
            mockSecret: options.mockSecret,
            ...(options.randomBytes === undefined ? {} : { randomBytes: options.randomBytes }),
          })
        : null;
  }

  /** Looks up the user's verifier and writes the first authentication request. */
  static async start(options: PasswordAuthOptions, w: BufferWriter): Promise<PasswordAuth> {
    const verifier = await options.sessions.scramVerifier(options.user);
    const auth = new PasswordAuth(options, verifier);
    if (options.method === 'scram-sha-256') writeAuthenticationSasl(w, [scramMechanism]);
    else writeAuthentication(w, authCleartextPassword);
    return auth;
  }

  /** Handles one client message; true once the client has proven itself. */
  async step(body: Buffer, w: BufferWriter): Promise<boolean> {
    this.#steps++;
    if (this.#exchange === null) {
      const r = new MessageReader(body, 'password message');
      const password = r.cstring();
      r.end();
      if (!(await verifyCleartextPassword(this.#verifier, password))) throw passwordFailed(this.#options.user);
      return true;
    }
    if (this.#steps === 1) {
      const r = new MessageReader(body, 'SASLInitialResponse message');
      const mechanism = r.cstring();
      const length = r.i32();
      const data = r.bytes(length);
      r.end();
      if (mechanism !== scramMechanism) throw protocolError('client selected an invalid SASL authentication mechanism');
      checkUtf8(data, 0, data.length);
      writeAuthentication(w, authSaslContinue, this.#exchange.clientFirst(data.toString('utf8')));
      return false;
    }
    assert(this.#steps === 2, 'a SCRAM exchange has two client messages');
    checkUtf8(body, 0, body.length);
    writeAuthentication(w, authSaslFinal, this.#exchange.clientFinal(body.toString('utf8')));
    return true;
  }
}
