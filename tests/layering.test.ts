/**
 * The layers, enforced by dependency-cruiser with the rules in .dependency-cruiser.cjs: imports
 * point down (electron adapter → hosts → http → api → core → sync → services/net → db → shared),
 * the two sides of sync never import each other, there are no circles, only main/electron/
 * imports electron, shared/ imports only zod, and the renderer reaches main only through the
 * contract. The tree must pass; small trees with one wrong import each must fail, so the rules
 * are known to bite.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './helpers/core';

const root = path.resolve(__dirname, '..');
const config = path.join(root, '.dependency-cruiser.cjs');
const depcruise = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function cruise(cwd: string, folders: string[]): Violation[] {
  let output: string;
  try {
    output = execFileSync(process.execPath, [depcruise, ...folders, '--config', config, '--output-type', 'json'], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    // depcruise exits non-zero when it finds errors; the JSON is still on stdout.
    output = (error as { stdout?: string }).stdout ?? '';
    if (!output) throw error;
  }
  return (JSON.parse(output) as { summary: { violations: Violation[] } }).summary.violations.map((v) => ({
    rule: { name: v.rule.name },
    from: v.from,
    to: v.to,
  }));
}

/** A throwaway tree: file path → source. */
function tree(files: Record<string, string>): string {
  const dir = tempDir('layers-');
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** "rule: from → to", with a package named by its folder under node_modules wherever that is. */
const ruleNames = (violations: Violation[]) =>
  violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to.replace(/^.*node_modules\//, 'node_modules/')}`);

describe('the layers (dependency-cruiser)', () => {
  it('hold on the whole tree: no upward import, no circle', () => {
    expect(ruleNames(cruise(root, ['main', 'shared', 'db', 'renderer', 'scripts']))).toEqual([]);
  }, 60_000);

  it('fail on an upward import: a service reaching up into sync', () => {
    const dir = tree({
      'main/sync/protocol.ts': 'export const SYNC_API_PREFIX = "/sync/v5";\n',
      'main/services/site-service.ts': 'import { SYNC_API_PREFIX } from "../sync/protocol";\nexport const x = SYNC_API_PREFIX;\n',
    });
    expect(ruleNames(cruise(dir, ['main']))).toEqual(['services-imports-down-only: main/services/site-service.ts → main/sync/protocol.ts']);
  }, 60_000);

  it('fail on a type-only import that closes a circle, and on one side of sync importing the other', () => {
    const dir = tree({
      'main/core.ts':
        'import { RemoteConnection } from "./sync/remote/connection";\nexport const make = () => new RemoteConnection();\nexport interface Core { a: number }\n',
      'main/sync/remote/connection.ts':
        'import type { Core } from "../../core";\nimport { leases } from "../central/leases";\nexport class RemoteConnection { core?: Core; l = leases; }\n',
      'main/sync/central/leases.ts': 'export const leases = 1;\n',
    });
    expect(ruleNames(cruise(dir, ['main'])).sort()).toEqual([
      'no-circular: main/core.ts → main/sync/remote/connection.ts',
      'sync-remote-imports-down-only: main/sync/remote/connection.ts → main/core.ts',
      'sync-remote-imports-down-only: main/sync/remote/connection.ts → main/sync/central/leases.ts',
    ]);
  }, 60_000);

  it('fail when shared/ imports a package, or the renderer imports main/', () => {
    const dir = tree({
      'shared/contract.ts': 'import fastify from "fastify";\nexport const f = fastify;\n',
      'main/core.ts': 'export const core = 1;\n',
      'renderer/App.tsx': 'import { core } from "../main/core";\nexport const App = () => core;\n',
    });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    expect(ruleNames(cruise(dir, ['shared', 'main', 'renderer'])).sort()).toEqual([
      'renderer-reaches-main-only-through-the-contract: renderer/App.tsx → main/core.ts',
      'shared-imports-only-zod: shared/contract.ts → node_modules/fastify/fastify.js',
    ]);
  }, 60_000);
});
