import fs from 'node:fs';
import path from 'node:path';

/** The built renderer (dist/renderer), from source (tsx) or from a bundle beside it. */
export function findRendererFolder(explicit?: string): string | undefined {
  const candidates = [
    explicit,
    process.env.SYNC_SITES_RENDERER,
    path.join(__dirname, '..', '..', 'dist', 'renderer'),
    path.join(__dirname, '..', 'renderer'),
  ].filter((c): c is string => Boolean(c));
  return candidates.find((c) => fs.existsSync(path.join(c, 'index.html')));
}
