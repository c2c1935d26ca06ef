/**
 * A bench's child process (a central started by the bench) read line by line: `next(prefix)`
 * resolves with the next line of its stdout starting with the prefix, and `stopChild` ends it.
 * Shared by the benches.
 */
import type { ChildProcess } from 'node:child_process';
import readline from 'node:readline';

/** The child's stdout as lines; `next(prefix)` resolves with the next line starting with it. */
export function lines(child: ChildProcess, defaultTimeoutMs = 60_000) {
  const waiting: { prefix: string; resolve: (line: string) => void }[] = [];
  const reader = readline.createInterface({ input: child.stdout! });
  reader.on('line', (line) => {
    const index = waiting.findIndex((w) => line.startsWith(w.prefix));
    if (index >= 0) waiting.splice(index, 1)[0]!.resolve(line);
  });
  return {
    next: (prefix: string, timeoutMs = defaultTimeoutMs) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the central did not answer "${prefix}"`)), timeoutMs);
        waiting.push({ prefix, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      }),
  };
}

/** Asks the bench's central to exit, and kills it if it has not within 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  child.stdin!.write('exit\n');
  await new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(null);
    child.on('exit', resolve);
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}
