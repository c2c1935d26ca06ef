/**
 * What counts as the app's own page, and the Content Security Policy it is served with. Plain
 * functions (no electron import) so the rules are tested directly.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The renderer bundles everything it runs (scripts, styles, fonts) and talks to main only over IPC,
 * so it needs nothing from the network. Inline styles stay allowed because React and Radix set
 * element styles; inline scripts and eval do not.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function pageUrlOf(indexHtml: string): string {
  return pathToFileURL(indexHtml).href;
}

/** True for the app's own renderer page (whatever its #hash or ?query), false for anything else. */
export function isAppPage(url: string | null | undefined, appPageUrl: string): boolean {
  if (!url) return false;
  let candidate: URL;
  let page: URL;
  try {
    candidate = new URL(url);
    page = new URL(appPageUrl);
  } catch {
    return false;
  }
  if (candidate.protocol !== 'file:' || page.protocol !== 'file:') return false;
  if (candidate.host !== page.host) return false;
  return samePath(fileURLToPath(candidate), fileURLToPath(page));
}

/** True for the app's own files (its page and the scripts and styles beside it). */
export function isAppResource(url: string, rendererFolder: string): boolean {
  try {
    const candidate = new URL(url);
    if (candidate.protocol !== 'file:') return false;
    const file = fileURLToPath(candidate);
    const folder = rendererFolder.endsWith('/') || rendererFolder.endsWith('\\') ? rendererFolder : `${rendererFolder}/`;
    return normalise(file).startsWith(normalise(folder));
  } catch {
    return false;
  }
}

function normalise(file: string): string {
  const slashes = file.replace(/\\/g, '/');
  // Windows paths are case-insensitive; a drive letter may come either way.
  return process.platform === 'win32' ? slashes.toLowerCase() : slashes;
}

function samePath(a: string, b: string): boolean {
  return normalise(a) === normalise(b);
}
