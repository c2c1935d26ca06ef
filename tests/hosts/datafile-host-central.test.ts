/** The desktop app runs the central server while its datafile is the central server. */
import path from 'node:path';
import { setSetting } from '../../db/settings';
import { DatafileHost } from '../../main/hosts/datafile-host';
import { openCore } from '../../main/core';
import { eventually } from '../helpers/eventually';
import { ADMIN, fastHasher, tempDir } from '../helpers/core';

async function demoDatafile(): Promise<string> {
  const file = path.join(tempDir('in-app-central-'), 'central.sqlite');
  const core = await openCore(file, { create: true, hasher: fastHasher, setup: { admin: ADMIN, demo: true } });
  setSetting(core.datafile.sqlite, 'central_server_port', 0);
  core.close();
  return file;
}

async function answers(url: string | null): Promise<boolean> {
  if (!url) return false;
  try {
    return (await fetch(`${url.replace('0.0.0.0', '127.0.0.1')}/health`)).ok;
  } catch {
    return false;
  }
}

describe('the central server inside the desktop app', () => {
  it('starts with a central datafile, reports itself to the window, moves to a new port, and stops with the datafile', async () => {
    const host = new DatafileHost({ hasher: fastHasher, logError: () => {}, centralServer: { host: '127.0.0.1' }, syncAutomatically: true });
    const session = host.newSession();
    expect((await host.open(await demoDatafile())).ok).toBe(true);
    expect((await host.dispatch(session, 'login', ADMIN)).ok).toBe(true);

    let view: any;
    await eventually(async () => {
      const result = await host.dispatch(session, 'getCentralServer', {});
      view = result.ok ? result.value : null;
      expect(view).toMatchObject({ available: true, running: true, problem: null });
    });
    expect(await answers(view.url)).toBe(true);
    const firstUrl = view.url as string;

    // Another port, chosen in the app: the server moves there.
    const blocker = await import('node:net').then(({ createServer }) => createServer());
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const freePort = (blocker.address() as { port: number }).port;
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    const moved = await host.dispatch(session, 'setCentralServerPort', { port: freePort });
    expect(moved.ok && moved.value).toMatchObject({ running: true, port: freePort });
    expect(await answers(firstUrl)).toBe(false);
    expect(await answers(`http://127.0.0.1:${freePort}`)).toBe(true);

    const bad = await host.dispatch(session, 'setCentralServerPort', { port: 70000 });
    expect(bad.ok === false && bad.error.message).toMatch(/from 1 to 65535/);

    host.close();
    await eventually(async () => expect(await answers(`http://127.0.0.1:${freePort}`)).toBe(false));
  });

  it('is not available where the host runs none (the headless server, tests)', async () => {
    const host = new DatafileHost({ hasher: fastHasher, logError: () => {} });
    const session = host.newSession();
    await host.open(await demoDatafile());
    await host.dispatch(session, 'login', ADMIN);
    const view = await host.dispatch(session, 'getCentralServer', {});
    expect(view.ok && view.value).toMatchObject({ available: false, running: false });
    host.close();
  });
});
