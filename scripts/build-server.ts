/**
 * Builds the deployable central server, dist/server.js, from scripts/server.ts with esbuild. Every
 * package it uses is bundled except those that cannot be (better-sqlite3: a native module), and the
 * build fails unless each of those is a real dependency in package.json, so that on a server
 *
 *   npm ci --omit=dev && node dist/server.js --datafile central.sqlite
 *
 * runs without TypeScript, tsx or any other development tool. The bundle finds the window
 * (dist/renderer) and the migrations (dist/migrations) beside itself: `npm run build` makes those,
 * so build the server after it (`npm run build && npm run build:server`).
 *
 *   tsx scripts/build-server.ts [--outfile dist/server.js]
 */
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '..');

/** The Node the server runs on: the oldest the project supports (package.json engines). */
const nodeTarget = 'node24';

/** Packages the bundle may not contain: native modules, loaded from node_modules at run time. */
const keptOutside = ['better-sqlite3'];

export interface BuildServerOptions {
  /** Default dist/server.js. */
  outfile?: string;
}

/** The packages the bundle requires at run time: each must be one of package.json's dependencies. */
export function checkRuntimeImports(metafile: esbuild.Metafile, dependencies: Record<string, string>): string[] {
  const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
  const required = Object.values(metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((i) => i.external && !builtins.has(i.path))
    .map((i) => (i.path.startsWith('@') ? i.path.split('/').slice(0, 2).join('/') : i.path.split('/')[0]!));
  const packages = [...new Set(required)].sort();
  const missing = packages.filter((name) => !(name in dependencies));
  if (missing.length > 0) {
    throw new Error(`dist/server.js requires ${missing.join(', ')} at run time, but package.json lists it only outside "dependencies".`);
  }
  return packages;
}

export async function buildServer(options: BuildServerOptions = {}): Promise<{ outfile: string; runtimePackages: string[] }> {
  const outfile = path.resolve(root, options.outfile ?? path.join('dist', 'server.js'));
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['scripts/server.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: nodeTarget,
    external: keptOutside,
    // Not minified, so a stack trace in the log reads as the source does; no source map to ship.
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    // React and friends are not in the server, but a bundled library may look at NODE_ENV.
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  });
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const runtimePackages = checkRuntimeImports(result.metafile, pkg.dependencies ?? {});
  return { outfile, runtimePackages };
}

if (require.main === module) {
  const at = process.argv.indexOf('--outfile');
  const started = Date.now();
  buildServer({ outfile: at >= 0 ? process.argv[at + 1] : undefined }).then(
    ({ outfile, runtimePackages }) => {
      console.log(
        `Built ${path.relative(root, outfile)} in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
          `(needs at run time: ${runtimePackages.join(', ')}).`,
      );
      if (!fs.existsSync(path.join(path.dirname(outfile), 'renderer', 'index.html'))) {
        console.warn('dist/renderer is not built yet: run "npm run build" before starting the server.');
      }
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
