/**
 * The app's own page: served from the custom privileged scheme app://sync-sites/ (protocol.handle
 * in window.ts), not file://, so that the Content-Security-Policy is a real response header (a
 * header is never applied to file:// loads) and the page's origin is its own, not every file on
 * disk. Plain functions (no electron import) so the rules are tested directly.
 */
import fs from 'node:fs';
import path from 'node:path';

export const appScheme = 'app';
export const appHost = 'sync-sites';
export const appOrigin = `${appScheme}://${appHost}`;
export const appPageUrl = `${appOrigin}/index.html`;

/** How Electron must know the scheme, before app 'ready' (protocol.registerSchemesAsPrivileged). */
export const appSchemePrivileges = {
  scheme: appScheme,
  // standard: relative URLs and an origin of its own; secure: a secure context, like https.
  privileges: { standard: true, secure: true },
};

/**
 * The renderer bundles everything it runs (scripts, styles, fonts) and talks to main only over IPC,
 * so it connects to nothing: connect-src 'none' (the IPC transport needs no network at all).
 * Inline styles stay allowed because React and Radix set element styles; inline scripts and eval
 * do not. No frames in or out, no workers, no plugins, no forms.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "worker-src 'none'",
  "manifest-src 'none'",
  "media-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "child-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** True for the app's own renderer page (whatever its #hash or ?query), false for anything else. */
export function isAppPage(url: string | null | undefined, pageUrl: string = appPageUrl): boolean {
  if (!url) return false;
  let candidate: URL;
  let page: URL;
  try {
    candidate = new URL(url);
    page = new URL(pageUrl);
  } catch {
    return false;
  }
  return candidate.protocol === page.protocol && candidate.host === page.host && candidate.pathname === page.pathname;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

const securityHeaders = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

function answer(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...securityHeaders, 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * The app:// handler: a file of the renderer folder, with the CSP on every answer. Anything else
 * (another host, a path out of the folder, a file that is not there, a method other than GET) is
 * refused.
 */
export function serveAppFile(request: Pick<Request, 'url' | 'method'>, rendererFolder: string): Response {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return answer(400, 'Bad address');
  }
  if (url.protocol !== `${appScheme}:` || url.host !== appHost) return answer(404, 'Not found');
  if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, 'Method not allowed');
  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname);
  } catch {
    return answer(400, 'Bad address');
  }
  const root = path.resolve(rendererFolder);
  const file = path.resolve(root, `.${relative === '/' ? '/index.html' : relative}`);
  if (file !== root && !file.startsWith(`${root}${path.sep}`)) return answer(404, 'Not found');
  let body: Buffer;
  try {
    body = fs.readFileSync(file);
  } catch {
    return answer(404, 'Not found');
  }
  const type = contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: { ...securityHeaders, 'content-type': type },
  });
}
