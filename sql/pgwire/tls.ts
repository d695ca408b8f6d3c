/**
 * A self-signed certificate for the demo and tests. node:crypto can make
 * key pairs but not X.509 certificates, so this runs the `openssl` binary
 * (`openssl req -x509 -newkey ec …`) in a temporary directory and reads the
 * PEM files back; without openssl (or if it fails) it returns null and the
 * server runs without TLS (answering 'N' to SSLRequest).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opensslTimeoutMs, selfSignedCertificateDays } from './limits.ts';
import type { TlsIdentity } from './options.ts';

export interface SelfSignedOptions {
  /** The certificate's common name and DNS name; "localhost" by default. */
  readonly commonName?: string;
  /** The openssl executable; "openssl" (found on PATH) by default. */
  readonly openssl?: string;
}

function run(file: string, args: readonly string[], cwd: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, timeout: opensslTimeoutMs }, (error) => resolve(error === null));
  });
}

/** Generates a P-256 key and a self-signed certificate (CN and SAN localhost, 127.0.0.1, ::1); null without openssl. */
export async function generateSelfSignedCertificate(options: SelfSignedOptions = {}): Promise<TlsIdentity | null> {
  const name = options.commonName ?? 'localhost';
  const dir = await mkdtemp(join(tmpdir(), 'meridian-cert-'));
  try {
    const ok = await run(
      options.openssl ?? 'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', 'key.pem', '-out', 'cert.pem', '-days', String(selfSignedCertificateDays),
        '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name},IP:127.0.0.1,IP:::1`,
      ],
      dir,
    );
    if (!ok) return null;
    const [key, cert] = await Promise.all([readFile(join(dir, 'key.pem')), readFile(join(dir, 'cert.pem'))]);
    return { key, cert };
  } catch {
    return null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
