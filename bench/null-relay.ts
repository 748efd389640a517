// The "null relay" rung of the bench ladder: a TCP relay that forwards bytes both ways with Node's pipe (which
// honours backpressure) and does nothing else. It is the floor for any Node proxy: what the proxy costs above it
// is the proxy's own work. Usage: node dist/bench/null-relay.js <listenPort> <targetHost> <targetPort>
import { createServer, connect } from 'node:net';

const [listenPort, targetHost, targetPort] = process.argv.slice(2);
if (listenPort === undefined || targetHost === undefined || targetPort === undefined) {
  process.stderr.write('usage: node dist/bench/null-relay.js <listenPort> <targetHost> <targetPort>\n');
  process.exit(2);
}

const server = createServer({ noDelay: true }, (client) => {
  const upstream = connect({ host: targetHost, port: Number(targetPort), noDelay: true });
  client.pipe(upstream).pipe(client);
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);
});
server.on('error', (err) => {
  process.stderr.write(`null-relay: ${err.message}\n`);
  process.exit(1);
});
// An explicit exit on a signal lets `node --cpu-prof` write its profile.
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => process.exit(0));
server.listen(Number(listenPort), '127.0.0.1', () => process.stdout.write(`null-relay: listening on ${listenPort}\n`));
