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
