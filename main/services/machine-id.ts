/**
 * This machine's hardware ID, sent as `msupply-site-uuid`. It is the OS machine ID keyed with an HMAC,
 * so the raw machine ID never leaves the machine and other apps cannot correlate it. Where the OS has
 * no machine ID, a random one is kept in a file beside (never inside) the datafile, and the log
 * says so.
 *
 * The OS machine ID is read as node-machine-id read it (the same text, so hardware IDs already
 * bound on a central stay the same), but without a shell: `reg.exe` runs with windowsHide (no
 * console window flashes on Windows) and a time limit, and on Linux the machine-id files are read
 * directly, with no silent fall back to the host name (which is neither unique nor stable).
 */
import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const APP_KEY = 'msupply-sync-sites/hardware-id/v1';

export interface HardwareIdOptions {
  /** File for the random fallback ID, e.g. in the user-data folder. */
  fallbackFile: string;
  log?: (message: string) => void;
  /** Reads the OS machine ID; replaceable in tests. */
  readMachineId?: () => string;
}

const COMMAND_TIMEOUT_MS = 5000;

export interface MachineIdSources {
  platform: NodeJS.Platform;
  run(command: string, args: string[]): string;
  readFile(file: string): string;
  env: NodeJS.ProcessEnv;
  arch: string;
}

const realSources: MachineIdSources = {
  platform: process.platform,
  run: (command, args) =>
    execFileSync(command, args, { encoding: 'utf8', windowsHide: true, timeout: COMMAND_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'ignore'] }),
  readFile: (file) => fs.readFileSync(file, 'utf8'),
  env: process.env,
  arch: process.arch,
};

/** The OS machine ID, lowercased and without white space (node-machine-id's `original` form). Throws when there is none. */
export function readOsMachineId(sources: MachineIdSources = realSources): string {
  const clean = (text: string) => text.replace(/\s+/g, '').toLowerCase();
  switch (sources.platform) {
    case 'win32': {
      // A 32-bit app on 64-bit Windows must ask the 64-bit registry view (sysnative).
      const folder = sources.arch === 'ia32' && sources.env.PROCESSOR_ARCHITEW6432 ? 'sysnative' : 'System32';
      const reg = path.win32.join(sources.env.windir ?? 'C:\\Windows', folder, 'REG.exe');
      const output = sources.run(reg, ['QUERY', 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid']);
      const id = output.split('REG_SZ')[1];
      if (!id || !clean(id)) throw new Error('Windows has no MachineGuid in the registry');
      return clean(id);
    }
    case 'darwin': {
      const output = sources.run('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice']);
      const id = /"IOPlatformUUID"\s*=\s*"([^"]+)"/.exec(output)?.[1];
      if (!id) throw new Error('macOS gave no IOPlatformUUID');
      return clean(id);
    }
    case 'freebsd': {
      const output = sources.run('kenv', ['-q', 'smbios.system.uuid']);
      if (!clean(output)) throw new Error('FreeBSD gave no smbios.system.uuid');
      return clean(output);
    }
    default: {
      for (const file of ['/var/lib/dbus/machine-id', '/etc/machine-id']) {
        let text = '';
        try {
          text = sources.readFile(file);
        } catch {
          continue;
        }
        const firstLine = clean(text.split('\n')[0] ?? '');
        if (firstLine) return firstLine;
      }
      throw new Error('there is no /var/lib/dbus/machine-id or /etc/machine-id');
    }
  }
}

export function appSpecificId(machineId: string): string {
  return createHmac('sha256', APP_KEY).update(machineId).digest('hex');
}

export function hardwareId(options: HardwareIdOptions): string {
  const read = options.readMachineId ?? (() => readOsMachineId());
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
  (options.log ?? console.warn)(`No machine ID could be read (${reason}); using the random hardware ID kept in ${options.fallbackFile}.`);
  return appSpecificId(`fallback:${fallback}`);
}
