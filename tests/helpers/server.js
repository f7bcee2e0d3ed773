// Static file server on 127.0.0.1 (COOP/COEP, MIME types) for browser tests. The implementation
// lives in scripts/static-server.js because demo/serve.js uses it too.
export { startStaticServer, MIME } from '../../scripts/static-server.js';
