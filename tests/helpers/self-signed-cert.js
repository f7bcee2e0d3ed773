// A throwaway self-signed certificate for 127.0.0.1, made with openssl at bench time (HTTP/2 in
// browsers needs TLS). Benchmarks and tests only: clients accept it explicitly (Chromium with
// --ignore-certificate-errors).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** { key, cert } PEM strings for CN=127.0.0.1 (needs the openssl command). */
export function selfSignedCert() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmbed-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'pipe' });
    return { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
