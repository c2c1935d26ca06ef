/**
 * "Use js node HTTP client" is set for a site on the central server and takes effect on that remote
 * site: the central sends it with GET /sync/v5/site, the remote stores it on its own site row (its
 * Site details window shows it), and the remote's next sync calls go through Node's client instead
 * of Electron's.
 */
import type { Core } from '../../main/core';
import { sha256Hex } from '../../main/services/passwords';
import { type SyncHttpClient } from '../../main/net/http-client';
import { NodeHttpClient } from '../../main/net/node-http-client';
import { adminOf, unchangedDraft } from '../helpers/core';
import { type Central, WAIKATO } from './helpers';
import { WAIKATO_PASSWORD, centralWithSites, remoteSite, stopCentral, syncOk } from './store-sync-helpers';

let central: Central;
let remote: Core | undefined;
afterEach(async () => {
  remote?.close();
  if (central) await stopCentral(central);
});

/** Stands in for Electron's net client: Node's fetch underneath, counting the calls it makes. */
function countingClient(name: string) {
  const inner = new NodeHttpClient();
  const client: SyncHttpClient & { calls: number } = {
    name,
    calls: 0,
    request(request) {
      client.calls += 1;
      return inner.request(request);
    },
  };
  return client;
}

async function setOnCentral(value: boolean) {
  const admin = await adminOf(central.core);
  await central.core.sites.saveSite(admin, { ...unchangedDraft(central.core, WAIKATO), useJsNodeHttpClient: value });
}

it('reaches the remote site it belongs to, and its sync then uses Node’s client', async () => {
  central = await centralWithSites();
  const electron = countingClient('electron');
  const node = countingClient('node');
  remote = await remoteSite(central.url, 'Waikato', WAIKATO_PASSWORD, 'waikato-device', { electronClient: electron, nodeClient: node });
  await setOnCentral(true);

  await syncOk(remote);
  // The first sync learns the setting (through Electron's client, the default until then).
  expect(remote.sites.getSite({ siteId: WAIKATO }).useJsNodeHttpClient).toBe(true);
  expect(electron.calls).toBeGreaterThan(0);
  const before = { electron: electron.calls, node: node.calls };

  await syncOk(remote);
  expect(electron.calls).toBe(before.electron);
  expect(node.calls).toBeGreaterThan(before.node);

  // Unticked on the central: the remote goes back to Electron's client after the next sync.
  await setOnCentral(false);
  await syncOk(remote);
  expect(remote.sites.getSite({ siteId: WAIKATO }).useJsNodeHttpClient).toBe(false);
  const electronBefore = electron.calls;
  await syncOk(remote);
  expect(electron.calls).toBeGreaterThan(electronBefore);
});

it('GET /sync/v5/site carries the setting', async () => {
  central = await centralWithSites();
  await setOnCentral(true);
  const response = await fetch(`${central.url}/sync/v5/site`, {
    headers: {
      authorization: `Basic ${Buffer.from(`Waikato:${sha256Hex(WAIKATO_PASSWORD)}`).toString('base64')}`,
      'msupply-site-uuid': 'some-device',
      'app-name': 'Open mSupply Desktop',
      'app-version': '2.6.0',
      version: '5',
    },
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ name: 'Waikato', useJsNodeHttpClient: true });
});
