/**
 * Builds the desktop app into dist/ with esbuild:
 *   dist/main/main.js      Electron main (Node, CJS; only electron stays external)
 *   dist/main/preload.js   the sandboxed preload (may require only `electron`)
 *   dist/renderer/         main.js + index.html + styles.css (always a production build, no source map)
 *   dist/migrations/       the datafile migrations (the packaged app ships them as a resource)
 * It type-checks first, against the real electron types, so `npm run build` fails on type errors.
 *
 *   tsx scripts/build.ts [--production] [--no-typecheck]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');

/**
 * Electron 45 runs Node 24. Chromium 142 is a floor, not Electron's own version: the same renderer
 * is served to the browser workstations, which may be a little older than Electron's Chromium.
 */
const nodeTarget = 'node24';
const chromeTarget = 'chrome142';

export interface BuildOptions {
  production: boolean;
  typecheck: boolean;
}

function typecheck(): void {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json'), '--noEmit'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('Type errors: the build stopped (see above).');
}

/** A sandboxed preload cannot require Node modules; a stray import would only fail at run time. */
function checkPreloadImports(metafile: esbuild.Metafile): void {
  const externals = Object.values(metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((i) => i.external)
    .map((i) => i.path);
  const forbidden = externals.filter((p) => p !== 'electron');
  if (forbidden.length > 0) {
    throw new Error(`The preload may require only 'electron', but it requires: ${[...new Set(forbidden)].join(', ')}`);
  }
}

export async function build(options: BuildOptions): Promise<void> {
  if (options.typecheck) typecheck();
  fs.rmSync(dist, { recursive: true, force: true });

  // The renderer is always React's production build, minified and without source maps: the server
  // serves dist/renderer to any browser that asks, and must not hand out the source or React's
  // development build. Component tests run the source through jest, not this bundle.
  const rendererDefine = { 'process.env.NODE_ENV': JSON.stringify('production') };
  const common = { bundle: true, absWorkingDir: root, logLevel: 'warning', legalComments: 'none' } as const;

  const [, preload] = await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: ['main/electron/main.ts'],
      outfile: 'dist/main/main.js',
      platform: 'node',
      format: 'cjs',
      target: nodeTarget,
      // better-sqlite3's JavaScript is bundled too: main hands it the Electron build of its binary
      // by path (nativeBinding), so the packaged app needs no node_modules at all.
      external: ['electron'],
      sourcemap: options.production ? false : 'linked',
    }),
    esbuild.build({
      ...common,
      entryPoints: ['main/electron/preload.ts'],
      outfile: 'dist/main/preload.js',
      // 'browser' makes a Node built-in import a build error instead of a sandbox error at run time.
      platform: 'browser',
      format: 'cjs',
      target: chromeTarget,
      external: ['electron'],
      metafile: true,
      minify: options.production,
    }),
    esbuild.build({
      ...common,
      entryPoints: ['renderer/main.tsx'],
      outfile: 'dist/renderer/main.js',
      platform: 'browser',
      format: 'iife',
      target: chromeTarget,
      jsx: 'automatic',
      define: rendererDefine,
      minify: true,
      sourcemap: false,
    }),
  ]);
  checkPreloadImports(preload.metafile);

  for (const file of ['index.html', 'styles.css']) {
    fs.copyFileSync(path.join(root, 'renderer', file), path.join(dist, 'renderer', file));
  }
  fs.cpSync(path.join(root, 'db', 'migrations'), path.join(dist, 'migrations'), { recursive: true });
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const started = Date.now();
  build({ production: args.includes('--production'), typecheck: !args.includes('--no-typecheck') }).then(
    () => console.log(`Built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s.`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
