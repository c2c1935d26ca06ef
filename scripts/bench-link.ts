/**
 * A slow link between a bench's remote and its central, in its own process: a TCP relay that
 * delivers each chunk half a round trip late and no faster than the link's rate, each direction on
 * its own (as a clinic's connection to the central is, rather than 127.0.0.1). Prints
 * "listening URL"; "exit" on stdin ends it.
 *
 *   node --import tsx scripts/bench-link.ts TARGET_PORT RTT_MS MBIT_PER_S
 */
import net from 'node:net';
import readline from 'node:readline';

/** One direction of the link: chunks leave in order, each after the ones before it have been sent. */
function direction(to: net.Socket, rttMs: number, bytesPerMs: number) {
  let sentUntil = 0;
  return (chunk: Buffer) => {
    const now = performance.now();
    sentUntil = Math.max(now, sentUntil) + chunk.length / bytesPerMs;
    setTimeout(() => to.destroyed || to.write(chunk), sentUntil + rttMs / 2 - now);
  };
}

async function main(): Promise<void> {
  const [targetPort, rtt, mbit] = process.argv.slice(2).map(Number);
  if (!targetPort || rtt === undefined || !mbit) throw new Error('usage: bench-link.ts TARGET_PORT RTT_MS MBIT_PER_S');
  const bytesPerMs = (mbit * 1_000_000) / 8 / 1000;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    client.on('data', direction(upstream, rtt, bytesPerMs));
    upstream.on('data', direction(client, rtt, bytesPerMs));
    const close = () => setTimeout(() => (client.destroy(), upstream.destroy()), rtt);
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`listening http://127.0.0.1:${(server.address() as net.AddressInfo).port}\n`);
  for await (const line of readline.createInterface({ input: process.stdin })) if (line.trim() === 'exit') break;
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
