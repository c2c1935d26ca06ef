/**
 * Ports Chromium refuses (ERR_UNSAFE_PORT) are refused where they are set, with the reason: the
 * in-app central server's port. Otherwise remote sites using the app's own (Electron) HTTP client
 * could never reach that central, and it would read as "unable to connect".
 */
import { validateInput } from '../../shared/validate';
import { isUnsafePort } from '../../shared/unsafe-ports';

describe('unsafe ports', () => {
  it.each([6000, 6665, 6669, 10080, 2049, 25])('refuses %i as the central server port, saying why', (port) => {
    const result = validateInput('setCentralServerPort', { port });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.message).toContain(`Port ${port} cannot be used`);
  });

  it('accepts the usual ports', () => {
    for (const port of [2048, 8080, 443, 80, 5000]) expect(validateInput('setCentralServerPort', { port }).ok).toBe(true);
  });

  it('is the same list the fake Electron net refuses', () => {
    expect(isUnsafePort(6000)).toBe(true);
    expect(isUnsafePort(2048)).toBe(false);
  });
});
