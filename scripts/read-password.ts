/**
 * The new password for `npm run server -- --reset-password USER`: from SYNC_ADMIN_PASSWORD, or from
 * standard input (typed at a terminal without echo, or piped). Never a command-line argument, which
 * other users of the machine can see.
 */
import { Writable } from 'node:stream';
import readline from 'node:readline';

export async function readNewPassword(prompt: string): Promise<string> {
  const fromEnvironment = process.env.SYNC_ADMIN_PASSWORD;
  if (fromEnvironment !== undefined && fromEnvironment !== '') return fromEnvironment;
  const input = process.stdin;
  if (input.isTTY) process.stdout.write(prompt);
  // At a terminal, what is typed is not shown.
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const lines = readline.createInterface({ input, output, terminal: Boolean(input.isTTY) });
  muted = true;
  try {
    for await (const line of lines) return line.replace(/\r$/, '');
    return '';
  } finally {
    lines.close();
    if (input.isTTY) process.stdout.write('\n');
  }
}
