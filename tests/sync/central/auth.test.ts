/**
 * The central server's sync API v5 authentication, over real HTTP on 127.0.0.1: every error code
 * and status of sync-v5.md, what a successful call records, and the hardware ID rules.
 */
import path from 'node:path';
import { openCore } from '../../../main/core';
import { sha256Hex } from '../../../main/services/passwords';
import { startServer } from '../../../main/hosts/server';
import { adminOf, fastHasher } from '../../helpers/core';
import {
  AUCKLAND,
  type Central,
  KAWAKAWA,
  KOPU,
  WAIKATO,
  noLimits,
  setSitePassword,
  siteRow,
  startCentral,
  syncCall,
  syncHeadersFor,
} from '../helpers';

let central: Central;

beforeEach(async () => {
  central = await startCentral();
  await setSitePassword(central.core, WAIKATO, 'waikato password');
});

afterEach(async () => central.stop());

const site = (options: Parameters<typeof syncCall>[2] = {}) => syncCall(central.url, '/sync/v5/site', options);

function expectEnvelope(answer: { status: number; text: string; json: any }, status: number, code: string) {
  expect({ status: answer.status, code: answer.json?.error?.code }).toEqual({ status, code });
  expect(typeof answer.json.error.message).toBe('string');
  expect(answer.json.error.message.length).toBeGreaterThan(0);
  expect('data' in answer.json.error).toBe(true);
  expect(answer.text).not.toMatch(/stack|\n\s+at /);
}

describe('GET /sync/v5/site with correct credentials', () => {
  it('answers with the site record the central keeps for the caller', async () => {
    const answer = await site();
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      id: siteRow(central.core, WAIKATO).uuid,
      siteId: WAIKATO,
      code: '3',
      name: 'Waikato',
      initialisationStatus: 'new',
    });
    expect(answer.json.stores.map((s: { code: string }) => s.code).sort()).toEqual(['TAU_DH', 'Waikato']);
  });

  it('matches the site name without regard to case, and accepts an upper-case password digest', async () => {
    const answer = await site({ siteName: 'WAIKATO', passwordSha256: sha256Hex('waikato password').toUpperCase() });
    expect(answer.status).toBe(200);
    expect(answer.json.name).toBe('Waikato');
  });

  it('records the hardware ID, app name and version, sync version and connection times', async () => {
    const before = Date.now();
    expect((await site({ hardwareId: 'device-A', appName: 'Open mSupply Desktop', appVersion: '2.6.1', version: '12' })).status).toBe(200);
    const row = siteRow(central.core, WAIKATO);
    expect(row).toMatchObject({ hardwareId: 'device-A', appName: 'Open mSupply Desktop', appVersion: '2.6.1', syncVersion: 12, type: 'standalone' });
    expect(Date.parse(row.firstConnectedAt!)).toBeGreaterThanOrEqual(before - 1000);
    const first = row.firstConnectedAt;

    await new Promise((r) => setTimeout(r, 5));
    expect((await site({ hardwareId: 'device-A', appVersion: '2.7.0' })).status).toBe(200);
    const again = siteRow(central.core, WAIKATO);
    expect(again.firstConnectedAt).toBe(first);
    expect(again.appVersion).toBe('2.7.0');
    expect(Date.parse(again.lastConnectedAt!)).toBeGreaterThan(Date.parse(first!));
    // The Site details window shows it.
    const details = central.core.sites.getSite({ siteId: WAIKATO });
    expect(details).toMatchObject({ hardwareId: 'device-A', appName: 'Open mSupply Desktop', appVersion: '2.7.0', inActiveUse: true });
  });

  it('sets the device type from app-name: a name containing "Mobile" makes the site mobile in the sites list', async () => {
    await setSitePassword(central.core, KOPU, 'kopu password');
    const kopu = { siteName: 'Kopu HC', password: 'kopu password', hardwareId: 'kopu-tablet' };
    const typeInList = () => central.core.sites.listSites({}).rows.find((r) => r.siteId === KOPU)!.deviceType;

    // Blank until the site syncs (the document's list), then what its app reports.
    expect(typeInList()).toBeNull();
    expect((await site({ ...kopu, appName: 'mSupply Mobile' })).status).toBe(200);
    expect(typeInList()).toBe('mobile');
    expect((await site({ ...kopu, appName: 'Open mSupply Desktop' })).status).toBe(200);
    expect(typeInList()).toBe('standalone');
  });

  it('treats the legacy mobile-version header (without app-name) as mSupply Mobile', async () => {
    await setSitePassword(central.core, KOPU, 'kopu password');
    const answer = await site({
      siteName: 'Kopu HC',
      password: 'kopu password',
      headers: { 'app-name': undefined, 'app-version': undefined, 'mobile-version': '4.2.0' },
    });
    expect(answer.status).toBe(200);
    expect(siteRow(central.core, KOPU)).toMatchObject({ type: 'mobile', appName: 'mSupply Mobile', appVersion: '4.2.0' });
  });

  it('GET site_status answers idle for an authenticated site, and refuses an unauthenticated one', async () => {
    const status = await syncCall(central.url, '/sync/v5/site_status');
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ code: 'idle', data: null });
    expect(typeof status.json.message).toBe('string');
    expectEnvelope(await syncCall(central.url, '/sync/v5/site_status', { password: 'wrong' }), 401, 'site_incorrect_password');
  });
});

describe('refused calls: each with its code and HTTP status', () => {
  it('no authorisation: 401 authorisation_missing', async () => {
    expectEnvelope(await site({ headers: { authorization: undefined } }), 401, 'authorisation_missing');
  });

  it.each([
    ['another scheme', 'Bearer abc'],
    ['not base64', 'Basic !!!***'],
    ['no colon', `Basic ${Buffer.from('Waikato').toString('base64')}`],
    ['empty site name', `Basic ${Buffer.from(`:${sha256Hex('x')}`).toString('base64')}`],
  ])('garbled authorisation (%s): 400 authorisation_invalid', async (_label, authorization) => {
    expectEnvelope(await site({ headers: { authorization } }), 400, 'authorisation_invalid');
  });

  it.each(['msupply-site-uuid', 'app-name', 'app-version', 'version'])('missing %s header: 400 header_missing', async (header) => {
    const answer = await site({ headers: { [header]: undefined } });
    expectEnvelope(answer, 400, 'header_missing');
    expect(answer.json.error.data).toEqual({ header });
  });

  it('a version header that is not a whole number: 400 header_invalid', async () => {
    expectEnvelope(await site({ version: 'five' }), 400, 'header_invalid');
    expectEnvelope(await site({ hardwareId: 'x'.repeat(201) }), 400, 'header_invalid');
  });

  it.each(['0', '15', '99'])('sync API version %s: 409 api_version_incompatible with the supported range', async (version) => {
    const answer = await site({ version });
    expectEnvelope(answer, 409, 'api_version_incompatible');
    expect(answer.json.error.data).toEqual({ min: 1, max: 14 });
  });

  it('unknown site name: 401 site_name_not_found', async () => {
    expectEnvelope(await site({ siteName: 'Nowhere' }), 401, 'site_name_not_found');
  });

  it('wrong password, a password that is not a SHA-256, or a site without a password: 401 site_incorrect_password', async () => {
    expectEnvelope(await site({ password: 'not it' }), 401, 'site_incorrect_password');
    expectEnvelope(await site({ passwordSha256: 'waikato password' }), 401, 'site_incorrect_password');
    expectEnvelope(await site({ siteName: 'Auckland Hospital', password: '' }), 401, 'site_incorrect_password');
    expect(siteRow(central.core, WAIKATO).hardwareId).toBe('');
    expect(siteRow(central.core, WAIKATO).lastConnectedAt).toBeNull();
  });

  it('a site without stores: 400 site_has_no_store, and nothing is recorded', async () => {
    const admin = await adminOf(central.core);
    const saved = await central.core.sites.saveSite(admin, {
      siteId: null,
      expectedVersion: null,
      code: '',
      name: 'Opua Clinic',
      password: 'opua password',
      type: 'standalone',
      useJsNodeHttpClient: false,
      addStoreIds: [],
      removeStoreIds: [],
      confirmations: [],
    });
    if (saved.status !== 'saved') throw new Error('not saved');
    expectEnvelope(await site({ siteName: 'Opua Clinic', password: 'opua password' }), 400, 'site_has_no_store');
    expect(siteRow(central.core, saved.site.siteId).hardwareId).toBe('');
  });

  it('a mobile caller on a site with more than one store: 400 mobile_site_has_multiple_stores', async () => {
    const answer = await site({ appName: 'mSupply Mobile' });
    expectEnvelope(answer, 400, 'mobile_site_has_multiple_stores');
    expect(answer.json.error.message).toMatch(/only one store.*Waikato.*2/);
    expect(siteRow(central.core, WAIKATO)).toMatchObject({ hardwareId: '', type: 'standalone' });
  });

  it("the central server's own site cannot sync: 400 site_is_central", async () => {
    await setSitePassword(central.core, 1, 'central password');
    expectEnvelope(await site({ siteName: 'Tamaki Central Synchronisation Server', password: 'central password' }), 400, 'site_is_central');
  });
});

describe('hardware ID', () => {
  it('is bound on first contact, refused from another device, and accepted from a new device after a reset', async () => {
    expect((await site({ hardwareId: 'tablet-1' })).status).toBe(200);
    expect(siteRow(central.core, WAIKATO).hardwareId).toBe('tablet-1');
    const before = siteRow(central.core, WAIKATO);

    const other = await site({ hardwareId: 'tablet-2', appVersion: '9.9.9' });
    expectEnvelope(other, 401, 'site_incorrect_hardware_id');
    expect(other.json.error.message).toBe('Site hardware ID does not match');
    // Nothing else about the site changes.
    expect(siteRow(central.core, WAIKATO)).toEqual(before);

    const admin = await adminOf(central.core);
    expect(central.core.sites.resetHardwareId(admin, { siteId: WAIKATO, confirmed: true }).status).toBe('done');
    expect((await site({ hardwareId: 'tablet-2' })).status).toBe(200);
    expect(siteRow(central.core, WAIKATO).hardwareId).toBe('tablet-2');
    expectEnvelope(await site({ hardwareId: 'tablet-1' }), 401, 'site_incorrect_hardware_id');
  });

  it('the demo Kawakawa tablet keeps its site; another device is refused even with the right password', async () => {
    await setSitePassword(central.core, KAWAKAWA, 'kawakawa password');
    const kawakawa = { siteName: 'Kawakawa', password: 'kawakawa password', appName: 'mSupply Mobile' };
    expect((await site({ ...kawakawa, hardwareId: 'demo-tablet-hardware-id' })).status).toBe(200);
    expectEnvelope(await site({ ...kawakawa, hardwareId: 'stolen-phone' }), 401, 'site_incorrect_hardware_id');
  });

  it('two devices racing to be first: exactly one wins', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => site({ hardwareId: `racing-device-${i}` })));
    const winners = answers.filter((a) => a.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of answers.filter((a) => a.status !== 200)) expectEnvelope(loser, 401, 'site_incorrect_hardware_id');
    const bound = siteRow(central.core, WAIKATO).hardwareId;
    expect(bound).toMatch(/^racing-device-\d$/);
    // The winner is the device that is now bound.
    expect((await site({ hardwareId: bound })).status).toBe(200);
  });

  it('two servers on two connections to one datafile, ten devices racing: exactly one wins', async () => {
    // A second connection to the same file, as a second server process would have.
    const second = await openCore(central.core.datafile.path, { hasher: fastHasher });
    const running = await startServer({ core: second, port: 0, signInLimits: noLimits });
    try {
      const urls = [central.url, running.url];
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => syncCall(urls[i % 2]!, '/sync/v5/site', { hardwareId: `device-${i}` })));
      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      expect(answers.filter((a) => a.json?.error?.code === 'site_incorrect_hardware_id')).toHaveLength(9);
    } finally {
      await running.stop();
      second.close();
    }
  });
});

describe('the error envelope for requests that are not sync calls', () => {
  it('an unknown route: 404 not_found', async () => {
    const answer = await syncCall(central.url, '/sync/v5/nothing_here');
    expectEnvelope(answer, 404, 'not_found');
    expect(answer.json.error.message).toContain('GET /sync/v5/nothing_here');
  });

  it('a URL that cannot be decoded: 400 bad_request', async () => {
    expectEnvelope(await syncCall(central.url, '/sync/v5/%zz'), 400, 'bad_request');
  });

  it('a body that is not JSON: 400 bad_request', async () => {
    const answer = await fetch(`${central.url}/sync/v5/site`, {
      method: 'POST',
      headers: { ...syncHeadersFor(), 'content-type': 'application/json' },
      body: '{"queueLength": ',
    });
    const text = await response(answer);
    expectEnvelope(text, 400, 'bad_request');
  });

  it('headers larger than the limit: 431 headers_too_large, and the server keeps serving', async () => {
    const answer = await fetch(`${central.url}/sync/v5/site`, { headers: { ...syncHeadersFor(), 'x-padding': 'a'.repeat(40_000) } });
    expectEnvelope(await response(answer), 431, 'headers_too_large');
    expect((await site()).status).toBe(200);
  });

  it('garbage on the socket: 400 with the envelope', async () => {
    const net = await import('node:net');
    const { port } = new URL(central.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('HELLO THERE\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4));
    expect(body.error.code).toBe('bad_request');
  });
});

describe('oversized bodies and internal failures', () => {
  it('a body over the limit: 413 payload_too_large', async () => {
    const small = await startCentral({ bodyLimit: 1024 });
    try {
      const answer = await fetch(`${small.url}/sync/v5/queued_records`, {
        method: 'POST',
        headers: { ...syncHeadersFor(), 'content-type': 'application/json' },
        body: JSON.stringify({ data: 'x'.repeat(5000) }),
      });
      expectEnvelope(await response(answer), 413, 'payload_too_large');
    } finally {
      await small.stop();
    }
  });

  it('an unexpected failure: 500 internal_error, without details, logged on the server', async () => {
    const lines: string[] = [];
    const broken = await startCentral({ logger: { level: 'error', stream: { write: (line: string) => lines.push(line) } } });
    try {
      await setSitePassword(broken.core, WAIKATO, 'waikato password');
      broken.core.datafile.sqlite.exec('alter table store rename to store_elsewhere');
      const answer = await syncCall(broken.url, '/sync/v5/site');
      expectEnvelope(answer, 500, 'internal_error');
      expect(answer.text).not.toContain('store');
      expect(lines.join('')).toContain('no such table: store');
    } finally {
      broken.core.datafile.sqlite.exec('alter table store_elsewhere rename to store');
      await broken.stop();
    }
  });
});

async function response(answer: Response) {
  const text = await answer.text();
  return { status: answer.status, text, json: JSON.parse(text) };
}

it('the demo Auckland Hospital has no password yet, so no one can sync as it', async () => {
  expectEnvelope(await site({ siteName: 'Auckland Hospital', password: 'anything' }), 401, 'site_incorrect_password');
  expect(siteRow(central.core, AUCKLAND).hardwareId).toBe('');
});

it('the server refuses to start on a datafile that is not the central server', async () => {
  const file = path.join(path.dirname(central.core.datafile.path), 'copy-not-central.sqlite');
  await central.core.datafile.sqlite.backup(file);
  const copy = await openCore(file, { hasher: fastHasher });
  try {
    copy.sites.setActiveSite(await adminOf(copy), { siteId: WAIKATO, confirmed: true });
    await expect(startServer({ core: copy, port: 0 })).rejects.toThrow(/not the central server.*Waikato/);
  } finally {
    copy.close();
  }
});
