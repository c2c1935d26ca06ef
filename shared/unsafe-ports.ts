/**
 * The ports Chromium refuses to connect to (net/base/port_util.cc, kRestrictedPorts): Electron's
 * `net` fails on them with net::ERR_UNSAFE_PORT before anything is sent. A central server on one of
 * them could be reached with "Use js node HTTP client" only, so the port is refused where it is set.
 */
export const chromiumUnsafePorts: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123,
  135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995,
  1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

export function isUnsafePort(port: number): boolean {
  return chromiumUnsafePorts.has(port);
}

export function unsafePortMessage(port: number): string {
  return (
    `Port ${port} cannot be used: web browsers and the mSupply Sync Sites app refuse to connect to it ` +
    '(it belongs to another kind of service). Choose another port, for example 2048.'
  );
}
