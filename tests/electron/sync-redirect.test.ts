/**
 * A remote site syncing through the app's Electron client (net.request, here the fake's, which
 * behaves as Electron documents) to an address that redirects: Check connection says so in words,
 * with the status and where it points, instead of "Unable to connect" (what net.fetch with
 * redirect 'manual' gave: it throws "Redirect was cancelled").
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Core } from '../../main/core';
import { NetHttpClient } from '../../main/electron/net-http-client';
import { remoteSite } from '../sync/store-sync-helpers';

let proxy: http.Server;
let remote: Core | undefined;
afterEach(async () => {
  remote?.close();
  await new Promise((resolve) => proxy.close(resolve));
});

it('Check connection reports a redirect with its status and Location through the Electron client', async () => {
  proxy = http.createServer((request, response) => {
    response.writeHead(308, { location: `https://central.example.org${request.url}` });
    response.end();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const electron = new NetHttpClient();
  remote = await remoteSite(url, 'Waikato', 'pw', 'waikato-device', { electronClient: electron });

  const check = await remote.connection.checkConnection();
  expect(check).toMatchObject({
    outcome: 'server_error',
    message: expect.stringMatching(/answered with a redirect \(HTTP 308\) to https:\/\/central\.example\.org\/sync\/v5\//),
  });
});
