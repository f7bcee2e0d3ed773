// A static file server in its own process (child_process.fork), so a benchmark's CPU figures
// count the client only: sends { url } to the parent once listening, then serves until killed.
// argv: a JSON object of mounts, as startStaticServer takes them; then --http2 to serve HTTP/2
// over TLS with a self-signed certificate made now (HTTP/1.1 without it).
import { startStaticServer } from '../../tests/helpers/server.js';
import { selfSignedCert } from '../../tests/helpers/self-signed-cert.js';

const tls = process.argv.includes('--http2') ? selfSignedCert() : undefined;
const server = await startStaticServer({ mounts: JSON.parse(process.argv[2]), tls });
process.send({ url: server.url });
// Ends with the benchmark that forked it, even when that one is killed.
process.on('disconnect', () => process.exit(0));
