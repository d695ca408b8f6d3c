import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SqlError } from './errors.ts';
import {
  makeScramVerifier, parseScramVerifier, saslPrep, ScramServerExchange, verifyCleartextPassword,
} from './scram.ts';

/** A minimal SCRAM client, for driving the server side in tests. */
function clientFinalFor(password: string, clientFirstBare: string, serverFirst: string, gs2 = 'n,,'): string {
  const attrs = Object.fromEntries(serverFirst.split(',').map((a) => [a[0], a.slice(2)]));
  const salted = pbkdf2Sync(saslPrep(password), Buffer.from(attrs.s!, 'base64'), Number(attrs.i), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const withoutProof = `c=${Buffer.from(gs2).toString('base64')},r=${attrs.r}`;
  const signature = createHmac('sha256', storedKey).update(`${clientFirstBare},${serverFirst},${withoutProof}`).digest();
  const proof = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) proof[i] = clientKey[i]! ^ signature[i]!;
  return `${withoutProof},p=${proof.toString('base64')}`;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e.code;
    throw e;
  }
  return undefined;
}

const mockSecret = Buffer.alloc(32, 7);

describe('SCRAM-SHA-256', () => {
  it('ScramServerExchange reproduces the RFC 7677 test vector', () => {
    const verifier = parseScramVerifier(
      makeScramVerifier('pencil', { iterations: 4096, salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64') }),
    );
    expect(verifier).not.toBeNull();
    // The RFC's server nonce after the client's: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0" is not base64, so feed the
    // exchange random bytes that we then splice into the expected messages.
    const exchange = new ScramServerExchange({
      verifier, user: 'user', mockSecret, randomBytes: (n) => Buffer.alloc(n, 1),
    });
    const serverFirst = exchange.clientFirst('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const serverNonce = Buffer.alloc(18, 1).toString('base64');
    expect(serverFirst).toBe(`r=rOprNGfwEbeRWgbNEkqO${serverNonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`);
    const final = clientFinalFor('pencil', 'n=user,r=rOprNGfwEbeRWgbNEkqO', serverFirst);
    expect(exchange.clientFinal(final)).toMatch(/^v=[A-Za-z0-9+/]{43}=$/);
  });

  it('the RFC 7677 proof and server signature come out exactly', () => {
    // With the RFC's own nonce the client proof and server signature are fixed by the RFC.
    const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
    const final = clientFinalFor('pencil', 'n=user,r=rOprNGfwEbeRWgbNEkqO', serverFirst);
    expect(final).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    const verifier = parseScramVerifier(
      makeScramVerifier('pencil', { iterations: 4096, salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64') }),
    )!;
    const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,${serverFirst},${final.slice(0, final.lastIndexOf(',p='))}`;
    expect(createHmac('sha256', verifier.serverKey).update(authMessage).digest('base64')).toBe(
      '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
    );
  });

  it('a wrong password fails with 28P01', () => {
    const verifier = parseScramVerifier(makeScramVerifier('right', { iterations: 4096 }));
    const exchange = new ScramServerExchange({ verifier, user: 'alice', mockSecret });
    const serverFirst = exchange.clientFirst('n,,n=,r=abc');
    try {
      exchange.clientFinal(clientFinalFor('wrong', 'n=,r=abc', serverFirst));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SqlError);
      expect((e as SqlError).code).toBe('28P01');
      expect((e as SqlError).message).toBe('password authentication failed for user "alice"');
    }
  });

  it('an unknown user gets a stable mock salt and the same failure', () => {
    const first = new ScramServerExchange({ verifier: null, user: 'ghost', mockSecret }).clientFirst('n,,n=,r=abc');
    const again = new ScramServerExchange({ verifier: null, user: 'ghost', mockSecret });
    const serverFirst = again.clientFirst('n,,n=,r=abc');
    expect(serverFirst.split(',').slice(1)).toEqual(first.split(',').slice(1));
    expect(codeOf(() => again.clientFinal(clientFinalFor('x', 'n=,r=abc', serverFirst)))).toBe('28P01');
  });

  it('malformed messages are protocol violations', () => {
    const verifier = parseScramVerifier(makeScramVerifier('pw', { iterations: 4096 }));
    const make = () => new ScramServerExchange({ verifier, user: 'u', mockSecret });
    expect(codeOf(() => make().clientFirst('p=tls-server-end-point,,n=,r=a'))).toBe('08P01');
    expect(codeOf(() => make().clientFirst('x,,n=,r=a'))).toBe('08P01');
    expect(codeOf(() => make().clientFirst('n,a=admin,n=,r=a'))).toBe('0A000');
    expect(codeOf(() => make().clientFirst('n,,n=,r=a,b'))).toBe('08P01');
    expect(codeOf(() => make().clientFirst('n,,n=,r=a\u00e9'))).toBe('08P01');
    const e = make();
    const serverFirst = e.clientFirst('n,,n=,r=abc');
    const good = clientFinalFor('pw', 'n=,r=abc', serverFirst);
    expect(codeOf(() => e.clientFinal(good.replace('c=biws', 'c=eSws')))).toBe('08P01');
    const e2 = make();
    const sf2 = e2.clientFirst('n,,n=,r=abc');
    expect(codeOf(() => e2.clientFinal(clientFinalFor('pw', 'n=,r=abc', sf2).replace(/,p=.*$/, ',p=AAAA')))).toBe('08P01');
  });

  it('a client that supports channel binding but was not offered it ("y") logs in', () => {
    const verifier = parseScramVerifier(makeScramVerifier('pw', { iterations: 4096 }));
    const exchange = new ScramServerExchange({ verifier, user: 'u', mockSecret });
    const serverFirst = exchange.clientFirst('y,,n=,r=abc');
    expect(exchange.clientFinal(clientFinalFor('pw', 'n=,r=abc', serverFirst, 'y,,'))).toMatch(/^v=/);
  });

  it('parseScramVerifier refuses malformed verifiers', () => {
    expect(parseScramVerifier('md5abc')).toBeNull();
    expect(parseScramVerifier('SCRAM-SHA-256$0:AAAA$AAAA:AAAA')).toBeNull();
    expect(parseScramVerifier('SCRAM-SHA-256$99999999:c2FsdA==$' + 'A'.repeat(43) + '=:' + 'A'.repeat(43) + '=')).toBeNull();
    const good = makeScramVerifier('pw');
    expect(good).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
  });

  it('verifyCleartextPassword checks against the verifier', async () => {
    const verifier = makeScramVerifier('sécret\u00a0x', { iterations: 4096 });
    expect(await verifyCleartextPassword(verifier, 'sécret x')).toBe(true);
    expect(await verifyCleartextPassword(verifier, 'secret x')).toBe(false);
    expect(await verifyCleartextPassword(null, 'anything')).toBe(false);
  });

  it('saslPrep maps spaces, drops soft hyphens and normalises NFKC', () => {
    expect(saslPrep('I\u00ADX')).toBe('IX');
    expect(saslPrep('\u2168')).toBe('IX');
    expect(saslPrep('a\u00a0b')).toBe('a b');
    expect(saslPrep('plain ascii\u0007')).toBe('plain ascii\u0007');
    expect(saslPrep('ctl\u0080é')).toBe('ctl\u0080é');
  });
});
