import net from 'node:net';
import type { Core } from '../../main/core';
import { CentralServerHost } from '../../main/hosts/in-app-central';
import { setSetting } from '../../db/settings';
import { adminOf, newCore } from '../helpers/core';
import { noLimits } from '../sync/helpers';

let core: Core;
let host: CentralServerHost;

beforeEach(async () => {
  core = await newCore({ demo: true });
  setSetting(core.datafile.sqlite, 'central_server_port', 0);
  host = new CentralServerHost(core, { host: '127.0.0.1', serverOptions: { signInLimits: noLimits } });
});

afterEach(async () => {
  await host.close();
  core.close();
});

async function health(port: number): Promise<number | string> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`)).status;
  } catch {
    return 'no answer';
  }
}

describe('the central server inside the desktop app', () => {
  it('runs while the active site is the central server site, and stops when another site is made active', async () => {
    await host.reconcile();
    const { running, port } = host.status();
    expect(running).toBe(true);
    expect(await health(port)).toBe(200);
    // The desktop app's administrators use IPC: the admin HTTP API is not served here.
    expect((await fetch(`http://127.0.0.1:${port}/api/op/whoAmI`, { method: 'POST' })).status).toBe(404);

    const admin = await adminOf(core);
    core.sites.setActiveSite(admin, { siteId: 3, confirmed: true });
    await host.reconcile();
    expect(host.status().running).toBe(false);
    expect(await health(port)).toBe('no answer');

    core.sites.setActiveSite(admin, { siteId: 1, confirmed: true });
    await host.reconcile();
    expect(host.status().running).toBe(true);
  });

  it('says in words when its port is taken, and starts once the port is changed', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    setSetting(core.datafile.sqlite, 'central_server_port', taken);
    await host.reconcile();
    expect(host.status()).toMatchObject({ running: false, port: taken });
    expect(host.status().problem).toBe(`Port ${taken} is already used by another program. Choose another port for the central server.`);
    blocker.close();

    setSetting(core.datafile.sqlite, 'central_server_port', 0);
    await host.reconcile();
    expect(host.status()).toMatchObject({ running: true, problem: null });
  });
});
