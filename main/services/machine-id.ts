/**
 * This machine's hardware ID, sent as `msupply-site-uuid`. It is the OS machine ID keyed with an HMAC,
 * so the raw machine ID never leaves the machine and other apps cannot correlate it. Where the OS has
 * no machine ID, a random one is kept in a file beside (never inside) the datafile.
 */
import { createHmac, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { machineIdSync } from 'node-machine-id';

const APP_KEY = 'msupply-sync-sites/hardware-id/v1';

export interface HardwareIdOptions {
  /** File for the random fallback ID, e.g. in the user-data folder. */
  fallbackFile: string;
  log?: (message: string) => void;
  /** Reads the OS machine ID; replaceable in tests. */
  readMachineId?: () => string;
}

export function appSpecificId(machineId: string): string {
  return createHmac('sha256', APP_KEY).update(machineId).digest('hex');
}

export function hardwareId(options: HardwareIdOptions): string {
  const read = options.readMachineId ?? (() => machineIdSync(true));
  let machineId = '';
  let reason = 'it was empty';
  try {
    machineId = read().trim();
  } catch (error) {
    reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  }
  if (machineId) return appSpecificId(machineId);

  let fallback = '';
  try {
    fallback = fs.readFileSync(options.fallbackFile, 'utf8').trim();
  } catch {
    // no fallback yet
  }
  if (!/^[0-9a-f-]{36}$/.test(fallback)) {
    fallback = randomUUID();
    fs.mkdirSync(path.dirname(options.fallbackFile), { recursive: true });
    fs.writeFileSync(options.fallbackFile, `${fallback}\n`, { mode: 0o600 });
  }
  (options.log ?? console.warn)(
    `No machine ID could be read (${reason}); using the random hardware ID kept in ${options.fallbackFile}.`,
  );
  return appSpecificId(`fallback:${fallback}`);
}
