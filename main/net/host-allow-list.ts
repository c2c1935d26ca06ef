/**
 * Which names (HTTP Host headers) a server answers to: a guard against DNS rebinding, where a web
 * page of another site makes its own name point at this server's address and then calls it as
 * "same origin". Such a request always carries the page's own name in Host, so the server answers
 * only to names it is known by:
 * - any IP address literal (a page at an IP address is that server itself, so nothing is rebound),
 * - localhost and *.localhost,
 * - this computer's host name (and <name>.local), which a page of another site does not control,
 * - the names given to it (`--public-url`, `--allowed-host`).
 */
import { isIP } from 'node:net';
import os from 'node:os';

export interface HostAllowList {
  /** True when a request with this Host header may be answered. */
  allows(hostHeader: string | undefined): boolean;
  /** The names given explicitly and this computer's, for messages. */
  readonly names: readonly string[];
}

/** The host name of a Host header, without port, brackets or trailing dot, lowercased. */
export function hostNameOf(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  let name: string;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    name = end > 0 ? value.slice(1, end) : value;
  } else {
    const colon = value.lastIndexOf(':');
    // A bare IPv6 address has several colons and no port.
    name = colon >= 0 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
  }
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** A name as given on a command line: "central.example.org", "central.example.org:2048" or a URL. */
export function normaliseAllowedHost(given: string): string {
  const text = given.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return hostNameOf(new URL(text).host);
  return hostNameOf(text);
}

export function hostAllowList(names: readonly string[] = [], thisComputer: string = os.hostname()): HostAllowList {
  const own = thisComputer.trim().toLowerCase();
  const allowed = new Set([...names.map(normaliseAllowedHost), ...(own ? [own, `${own}.local`] : [])].filter(Boolean));
  return {
    names: [...allowed],
    allows(hostHeader) {
      // HTTP/1.0 clients may omit Host; a browser never does.
      if (hostHeader === undefined || hostHeader === '') return true;
      const name = hostNameOf(hostHeader);
      if (isIP(name) !== 0) return true;
      if (name === 'localhost' || name.endsWith('.localhost')) return true;
      return allowed.has(name);
    },
  };
}
