import fs from 'node:fs';
import path from 'node:path';

/**
 * The built renderer (dist/renderer), from source (tsx) or from a bundle beside it. A folder named
 * explicitly (argument, or SYNC_SITES_RENDERER) is the only one looked at.
 */
export function findRendererFolder(explicit?: string): string | undefined {
  const chosen = explicit ?? process.env.SYNC_SITES_RENDERER;
  const candidates = chosen
    ? [chosen]
    : [
        path.join(__dirname, '..', '..', 'dist', 'renderer'),
        path.join(__dirname, '..', 'renderer'),
        // The server bundle, dist/server.js, has the window beside it.
        path.join(__dirname, 'renderer'),
      ];
  return candidates.find((c) => fs.existsSync(path.join(c, 'index.html')));
}
