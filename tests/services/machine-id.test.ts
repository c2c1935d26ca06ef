import fs from 'node:fs';
import path from 'node:path';
import { appSpecificId, hardwareId } from '../../main/services/machine-id';
import { tempDir } from '../helpers/core';

describe('the hardware ID of this machine', () => {
  it('is the machine ID keyed for this app: stable, and not the raw machine ID', () => {
    const fallbackFile = path.join(tempDir(), 'hardware-id');
    const read = () => '4c4c4544-0042-3510-8052-b2c04f4e3132';
    const first = hardwareId({ fallbackFile, readMachineId: read });
    expect(first).toBe(hardwareId({ fallbackFile, readMachineId: read }));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(first).not.toContain('4c4c4544');
    expect(first).toBe(appSpecificId('4c4c4544-0042-3510-8052-b2c04f4e3132'));
    expect(hardwareId({ fallbackFile, readMachineId: () => 'another machine' })).not.toBe(first);
    expect(fs.existsSync(fallbackFile)).toBe(false);
  });

  it('reads the real machine ID on this machine (or falls back) without throwing', () => {
    const logs: string[] = [];
    const id = hardwareId({ fallbackFile: path.join(tempDir(), 'hardware-id'), log: (m) => logs.push(m) });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('falls back to a random ID kept outside the datafile when there is no machine ID, and logs it', () => {
    const fallbackFile = path.join(tempDir(), 'nested', 'hardware-id');
    const logs: string[] = [];
    const missing = () => {
      throw new Error('Command failed: cat /var/lib/dbus/machine-id');
    };
    const first = hardwareId({ fallbackFile, readMachineId: missing, log: (m) => logs.push(m) });
    const second = hardwareId({ fallbackFile, readMachineId: () => '', log: (m) => logs.push(m) });
    expect(second).toBe(first);
    expect(fs.readFileSync(fallbackFile, 'utf8').trim()).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatch(/No machine ID could be read .*cat \/var\/lib\/dbus\/machine-id/);
    // Another machine without an ID (another fallback file) gets another ID.
    expect(hardwareId({ fallbackFile: path.join(tempDir(), 'hardware-id'), readMachineId: missing, log: () => {} })).not.toBe(first);
  });
});

describe('reading the OS machine ID', () => {
  const { readOsMachineId } = jest.requireActual('../../main/services/machine-id') as typeof import('../../main/services/machine-id');
  const calls: { command: string; args: string[] }[] = [];
  const sources = (platform: NodeJS.Platform, output: string, files: Record<string, string> = {}) => ({
    platform,
    arch: 'x64',
    env: { windir: 'C:\\Windows' },
    run: (command: string, args: string[]) => {
      calls.push({ command, args });
      return output;
    },
    readFile: (file: string) => {
      if (!(file in files)) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
      return files[file]!;
    },
  });
  beforeEach(() => (calls.length = 0));

  it('on Windows asks reg.exe directly (no shell; the real runner passes windowsHide) and reads MachineGuid as node-machine-id did', () => {
    const output =
      '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography\r\n    MachineGuid    REG_SZ    4C4C4544-0042-3510-8052-B2C04F4E3132\r\n\r\n';
    expect(readOsMachineId(sources('win32', output))).toBe('4c4c4544-0042-3510-8052-b2c04f4e3132');
    expect(calls[0]!.command).toBe('C:\\Windows\\System32\\REG.exe');
    expect(calls[0]!.args).toEqual(['QUERY', 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid']);
  });

  it('runs commands hidden and with a time limit', () => {
    const source = fs.readFileSync(path.resolve('main/services/machine-id.ts'), 'utf8');
    expect(source).toMatch(/execFileSync\(command, args, \{[^}]*windowsHide: true[^}]*timeout/);
    expect(source).not.toMatch(/from 'node-machine-id'/);
  });

  it('gives the same text node-machine-id gave on this machine, so hardware IDs already bound stay the same', () => {
    const hasId = ['/var/lib/dbus/machine-id', '/etc/machine-id'].some((f) => fs.existsSync(f) && fs.readFileSync(f, 'utf8').trim());
    if (process.platform !== 'linux' || !hasId) return;
    const { machineIdSync } = require('node-machine-id') as { machineIdSync(original: boolean): string };
    expect(readOsMachineId()).toBe(machineIdSync(true));
  });

  it('on macOS reads IOPlatformUUID', () => {
    const output = '+-o Mac  <class IOPlatformExpertDevice>\n    "IOPlatformUUID" = "A1B2C3D4-0000-1111-2222-333344445555"\n';
    expect(readOsMachineId(sources('darwin', output))).toBe('a1b2c3d4-0000-1111-2222-333344445555');
  });

  it('on Linux reads the machine-id files, and never falls back to the host name', () => {
    expect(readOsMachineId(sources('linux', '', { '/etc/machine-id': 'ABCDEF0123\n' }))).toBe('abcdef0123');
    expect(readOsMachineId(sources('linux', '', { '/var/lib/dbus/machine-id': 'dbus1\n', '/etc/machine-id': 'etc2\n' }))).toBe('dbus1');
    expect(() => readOsMachineId(sources('linux', 'reception-pc', {}))).toThrow('there is no /var/lib/dbus/machine-id or /etc/machine-id');
    expect(calls).toEqual([]);
  });

  it('leads to the random fallback ID, with a line in the log, where Linux has no machine ID', () => {
    const logs: string[] = [];
    const fallbackFile = path.join(tempDir(), 'hardware-id');
    const id = hardwareId({ fallbackFile, readMachineId: () => readOsMachineId(sources('linux', 'reception-pc', {})), log: (m) => logs.push(m) });
    expect(id).toBe(appSpecificId(`fallback:${fs.readFileSync(fallbackFile, 'utf8').trim()}`));
    expect(logs[0]).toContain('there is no /var/lib/dbus/machine-id or /etc/machine-id');
  });
});
