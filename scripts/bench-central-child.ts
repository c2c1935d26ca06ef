/**
 * The child side of a bench's central process: prints "listening URL", then answers commands read
 * line by line on stdin until "exit". Every child answers "rss" with "rss CURRENT PEAK" (bytes;
 * the peak sampled every 20 ms); a bench adds its own commands. Shared by the benches' centrals.
 */
import readline from 'node:readline';
import type { RunningServer } from '../main/hosts/server';

export async function serveBenchCommands(running: RunningServer, commands: Record<string, () => string> = {}): Promise<void> {
  let peak = process.memoryUsage.rss();
  setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20).unref();
  const answers: Record<string, () => string> = { rss: () => `rss ${process.memoryUsage.rss()} ${peak}`, ...commands };
  process.stdout.write(`listening ${running.url}\n`);
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const command = line.trim();
    if (command === 'exit') break;
    const answer = answers[command];
    if (answer) process.stdout.write(`${answer()}\n`);
  }
  // Keep-alive connections of the bench's clients could hold the close open; the bench is over anyway.
  setTimeout(() => process.exit(0), 2000).unref();
  await running.stop();
  process.exit(0);
}

/** Runs a bench central's main, printing what made it fail. */
export function runBenchCentral(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
