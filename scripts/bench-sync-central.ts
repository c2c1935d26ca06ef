/**
 * The central server of `scripts/bench-sync.ts`, in its own process so that its memory is measured
 * apart from the remote's. Prints "listening URL"; on each "rss" line on stdin prints
 * "rss CURRENT PEAK" (bytes; the peak sampled every 20 ms).
 *
 *   node --import tsx scripts/bench-sync-central.ts DATAFILE
 */
import readline from 'node:readline';
import { startServer } from '../main/hosts/server';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: bench-sync-central.ts DATAFILE');
  let peak = process.memoryUsage().rss;
  setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20).unref();
  const running = await startServer({ datafile: file, port: 0, adminApi: false });
  process.stdout.write(`listening ${running.url}\n`);
  for await (const line of readline.createInterface({ input: process.stdin })) {
    if (line.trim() === 'rss') process.stdout.write(`rss ${process.memoryUsage().rss} ${peak}\n`);
    if (line.trim() === 'exit') break;
  }
  // Keep-alive connections of the remote could hold the close open; the bench is over anyway.
  setTimeout(() => process.exit(0), 2000).unref();
  await running.stop();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
