/**
 * Issue 10, finding 8: the server serves only a production build of the window: React's
 * production bundle, no source map (none is built, and one left in the folder is not served).
 */
import fs from 'node:fs';
import path from 'node:path';
import { openCore } from '../../main/core';
import { type RunningServer, startServer } from '../../main/hosts/server';
import { findRendererFolder } from '../../main/http/renderer-folder';
import { ADMIN, fastHasher, tempDir } from '../helpers/core';
import { httpFrom } from '../helpers/http-from';

// Whole answers read, connections not kept alive: the server's stop does not wait for them.
const get = (url: string) => httpFrom(url);

let running: RunningServer;
afterEach(async () => {
  await running.stop();
  running.core.close();
});

async function start(rendererDir?: string) {
  const core = await openCore(path.join(tempDir('bundle-'), 'server.sqlite'), { create: true, hasher: fastHasher, setup: { admin: ADMIN } });
  running = await startServer({ core, port: 0, adminApi: rendererDir ? { rendererDir } : {} });
}

it("GET /main.js.map is 404, and main.js is React's production build without a source map link", async () => {
  await start();
  const built = findRendererFolder()!;
  expect(fs.existsSync(path.join(built, 'main.js.map'))).toBe(false);
  const map = await get(`${running.url}/main.js.map`);
  expect(map.status).toBe(404);
  const script = await get(`${running.url}/main.js`);
  expect(script.status).toBe(200);
  const code = script.text;
  expect(code).toContain('createRoot');
  expect(code).not.toContain('react-dom.development');
  expect(code).not.toContain('Each child in a list should have a unique');
  expect(code).not.toMatch(/sourceMappingURL/);
});

it('a source map left in the renderer folder is still not served', async () => {
  const folder = tempDir('renderer-');
  for (const file of ['index.html', 'main.js']) fs.copyFileSync(path.join(findRendererFolder()!, file), path.join(folder, file));
  fs.writeFileSync(path.join(folder, 'main.js.map'), '{"version":3,"sources":["secret.ts"]}');
  await start(folder);
  expect((await get(`${running.url}/main.js.map`)).status).toBe(404);
  expect((await get(`${running.url}/MAIN.JS.MAP`)).status).toBe(404);
  expect((await get(`${running.url}/main.js`)).status).toBe(200);
});
