/**
 * For tests that switch the window's language: a fresh in-process world for each test, and after
 * it the language back to English and the browser's storage (where a chosen language is kept)
 * cleared, so the next test starts as a new user would.
 */
import { act } from '@testing-library/react';
import { setLanguage } from '../../renderer/i18n';
import { inProcessApi, type InProcessApi } from './in-process-api';

export function languageWorldEachTest(): () => InProcessApi {
  let world: InProcessApi | undefined;
  beforeEach(async () => {
    world = await inProcessApi();
  });
  afterEach(async () => {
    world?.core.close();
    await act(() => setLanguage('en'));
    localStorage.clear();
  });
  return () => world!;
}
