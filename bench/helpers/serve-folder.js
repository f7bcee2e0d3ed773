// A static file server in its own process (child_process.fork), so a benchmark's CPU figures
// count the client only: sends { url } to the parent once listening, then serves until killed.
// argv: a JSON object of mounts, as startStaticServer takes them.
import { startStaticServer } from '../../tests/helpers/server.js';

const server = await startStaticServer({ mounts: JSON.parse(process.argv[2]) });
process.send({ url: server.url });
