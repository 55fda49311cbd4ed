/**
 * Runs the real server in this process from a JSON config given as argv[2], and prints its
 * addresses as one JSON line on stdout once it listens. Used by tests that kill the server.
 */
import { createServer } from '../../../server/index.ts';

const server = createServer(JSON.parse(process.argv[2]!) as object);
const addresses = await server.start();
process.stdout.write(`${JSON.stringify(addresses)}\n`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
