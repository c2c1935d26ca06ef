/**
 * The secret key of the central's verified credentials (main/sync/central/verified-credentials.ts).
 * It lives in a file OUTSIDE the datafile: the server's state folder (or --credential-key-file), the
 * desktop app's userData. Someone who copies the datafile alone learns nothing from the stored tags,
 * and site passwords stay as slow to guess as their scrypt hashes make them.
 *
 * The file holds 64 hexadecimal characters (32 random bytes) and is created readable by its owner
 * only. Deleting it is safe: every site then signs in once more with a full password check.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const keyPattern = /^[0-9a-f]{64}$/;

function readKey(file: string): Buffer {
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!keyPattern.test(text)) {
    throw new Error(
      `The credential key file ${file} does not hold a key this program made (64 hexadecimal characters). ` +
        'Delete it (a new one is made; every site then signs in once with a full password check), or name another file.',
    );
  }
  return Buffer.from(text, 'hex');
}

/** Reads the key, or makes one (two programs starting at once end up with the same key). */
export function loadOrCreateCredentialKey(file: string): Buffer {
  try {
    return readKey(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    // wx: never overwrite a key another program wrote meanwhile.
    fs.writeFileSync(file, `${key.toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readKey(file);
  }
}

/**
 * Where the headless server keeps its key when not told: the user's state folder
 * (XDG_STATE_HOME or ~/.local/state; %LOCALAPPDATA% on Windows), never beside the datafile.
 */
export function defaultCredentialKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    process.platform === 'win32'
      ? (env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'))
      : (env.XDG_STATE_HOME ?? path.join(os.homedir(), '.local', 'state'));
  return path.join(base, 'msupply-sync-sites', 'credential-key');
}
