import type { DesktopBridge } from '../../shared/bridge';
import { operationNames } from '../../shared/contract';
import { httpApi, pickTransport, unreachableMessage } from '../../renderer/api/transport';

function jsonResponse(body: unknown, status = 200): Response {
  return { status, json: async () => body } as Response;
}

test('each operation is a POST to /api/op/<name> with the CSRF header and the JSON input', async () => {
  const fetch = jest.fn(async (_url: string, _init?: RequestInit) => jsonResponse({ ok: true, value: { rows: [], total: 0 } }));
  const api = httpApi({ fetch: fetch as unknown as typeof globalThis.fetch });
  const result = await api.listSites({ search: 'Kawa' });
  expect(result).toEqual({ ok: true, value: { rows: [], total: 0 } });
  const [url, init] = fetch.mock.calls[0]!;
  expect(url).toBe('/api/op/listSites');
  expect(init).toMatchObject({ method: 'POST', credentials: 'same-origin', body: JSON.stringify({ search: 'Kawa' }) });
  expect(init!.headers).toMatchObject({ 'content-type': 'application/json', 'x-sync-sites': '1' });
  expect(Object.keys(api).sort()).toEqual([...operationNames].sort());
});

test('an error answer is passed on unchanged', async () => {
  const error = { code: 'invalid_credentials', message: 'The user name or password is incorrect.' };
  const api = httpApi({ fetch: (async () => jsonResponse({ ok: false, error }, 401)) as unknown as typeof fetch });
  expect(await api.login({ userName: 'a', password: 'b' })).toEqual({ ok: false, error });
});

test('a network failure becomes an error value in words', async () => {
  const api = httpApi({
    fetch: (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch,
  });
  expect(await api.whoAmI({})).toEqual({ ok: false, error: { code: 'internal_error', message: unreachableMessage } });
});

test('an answer that is not a Result (e.g. a proxy error page) becomes an error value', async () => {
  const api = httpApi({
    fetch: (async () => ({ status: 502, json: async () => Promise.reject(new SyntaxError('bad json')) })) as unknown as typeof fetch,
  });
  const result = await api.whoAmI({});
  expect(result.ok).toBe(false);
  expect(!result.ok && result.error.message).toContain('HTTP 502');
});

test('pickTransport uses the Electron bridge when present, and guards a rejected IPC call', async () => {
  const bridge = {
    whoAmI: async () => ({ ok: true, value: 'from bridge' }),
    login: async () => {
      throw new Error('ipc broke');
    },
    datafileStatus: async () => ({ ok: true, value: { location: 'x', open: true, needsSetup: false } }),
    setUpDatafile: async () => ({ ok: true, value: { location: 'x', open: true, needsSetup: false } }),
    onMenuCommand: () => () => undefined,
  } as unknown as DesktopBridge;
  const transport = pickTransport({ syncSites: bridge });
  expect(transport.desktop).not.toBeNull();
  expect(await transport.api.whoAmI({})).toEqual({ ok: true, value: 'from bridge' });
  const failed = await transport.api.login({ userName: 'a', password: 'b' });
  expect(failed.ok).toBe(false);
  expect(pickTransport({}).desktop).toBeNull();
});
