/**
 * The central server of `scripts/bench-sync.ts`, in its own process so that its memory is measured
 * apart from the remote's. Prints "listening URL"; on each "rss" line on stdin prints
 * "rss CURRENT PEAK" (bytes; the peak sampled every 20 ms).
 *
 *   node --import tsx scripts/bench-sync-central.ts DATAFILE
 */
import { startServer } from '../main/hosts/server';
import { runBenchCentral, serveBenchCommands } from './bench-central-child';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: bench-sync-central.ts DATAFILE');
  await serveBenchCommands(await startServer({ datafile: file, port: 0, adminApi: false }));
}

runBenchCentral(main);
