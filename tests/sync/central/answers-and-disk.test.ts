/**
 * Issue 10, finding 10 on the sync API (real HTTP on 127.0.0.1): every answer says
 * X-Content-Type-Options: nosniff, HTTPS answers carry HSTS, and a datafile that cannot be written
 * (disk full, read-only) does not turn GET site into a 500 just because the contact time could
 * not be recorded.
 */
import net from 'node:net';
import { type Central, KOPU, WAIKATO, selfSignedCertificate, setSitePassword, siteRow, startCentral, syncCall } from '../helpers';
import { httpFrom } from '../../helpers/http-from';

let central: Central;
afterEach(async () => central?.stop());

it('sync answers carry X-Content-Type-Options: nosniff, errors included', async () => {
  central = await startCentral();
  await setSitePassword(central.core, WAIKATO, 'waikato password');
  expect((await syncCall(central.url, '/sync/v5/site')).headers.get('x-content-type-options')).toBe('nosniff');
  expect((await syncCall(central.url, '/sync/v5/site', { password: 'wrong' })).headers.get('x-content-type-options')).toBe('nosniff');
  expect((await syncCall(central.url, '/sync/v5/nothing')).headers.get('x-content-type-options')).toBe('nosniff');
  expect((await httpFrom(`${central.url}/sync/v5/site`)).headers['strict-transport-security']).toBeUndefined();

  // An error Node's parser answers itself (headers too large) says it too.
  const { port } = new URL(central.url);
  const raw = await new Promise<string>((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write(`GET /sync/v5/site HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
    });
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', () => resolve(text));
  });
  expect(raw).toMatch(/^HTTP\/1\.1 431/);
  expect(raw).toMatch(/X-Content-Type-Options: nosniff/i);
});

const tls = selfSignedCertificate();
(tls ? it : it.skip)('HTTPS answers carry Strict-Transport-Security', async () => {
  central = await startCentral({ tls: { cert: tls!.cert, key: tls!.key } });
  expect(central.url).toMatch(/^https:/);
  const answer = await httpFrom(`${central.url}/sync/v5/site`);
  expect(answer.status).toBe(401);
  expect(answer.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
});

it('with a datafile that cannot be written, GET site still answers a bound site; binding a new device cannot', async () => {
  const warnings: string[] = [];
  central = await startCentral({ logger: { level: 'warn', stream: { write: (line: string) => warnings.push(line) } } });
  await setSitePassword(central.core, WAIKATO, 'waikato password');
  await setSitePassword(central.core, KOPU, 'kopu password');
  expect((await syncCall(central.url, '/sync/v5/site', { hardwareId: 'device-A' })).status).toBe(200);
  const before = siteRow(central.core, WAIKATO).lastConnectedAt;

  // As with a full disk: every write fails (here SQLITE_READONLY; a full disk gives SQLITE_FULL).
  central.core.datafile.sqlite.pragma('query_only = ON');
  try {
    const site = await syncCall(central.url, '/sync/v5/site', { hardwareId: 'device-A', appVersion: '2.7.0' });
    expect(site.status).toBe(200);
    expect(site.json.name).toBe('Waikato');
    expect((await syncCall(central.url, '/sync/v5/site_status', { hardwareId: 'device-A' })).status).toBe(200);
    expect(siteRow(central.core, WAIKATO).lastConnectedAt).toBe(before);
    expect(warnings.join('')).toMatch(/Could not record the sync call/);

    // Binding a hardware ID is not bookkeeping: without it the site cannot be let in.
    const kopu = await syncCall(central.url, '/sync/v5/site', { siteName: 'Kopu HC', password: 'kopu password', hardwareId: 'kopu-device' });
    expect(kopu.status).toBe(500);
    expect(kopu.json.error.code).toBe('internal_error');
  } finally {
    central.core.datafile.sqlite.pragma('query_only = OFF');
  }
});
