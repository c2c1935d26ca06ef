import type { SiteDetails, StoreRow } from '../../shared/contract';
import { appError } from '../../shared/errors';
import {
  addStore,
  draftFromSite,
  editFields,
  fieldErrorsOf,
  hasChanges,
  removeStore,
  saveInputOf,
  storeChanges,
  withServerSite,
} from '../../renderer/draft/site-draft';

const store = (storeId: number, siteId = 3, siteName = 'Waikato'): StoreRow => ({
  storeId,
  code: `S${storeId}`,
  name: `Store ${storeId}`,
  siteId,
  siteName,
});

const waikato: SiteDetails = {
  siteId: 3,
  isNew: false,
  version: 4,
  code: '3',
  name: 'Waikato',
  hasPassword: true,
  hardwareId: 'hw-1',
  type: 'standalone',
  useJsNodeHttpClient: false,
  isCentral: false,
  isActiveOnThisDatafile: false,
  inActiveUse: true,
  lastConnectedAt: null,
  appName: null,
  appVersion: null,
  stores: [store(6), store(8)],
};

describe('storeChanges', () => {
  test('is the net difference from the stores the site had when opened', () => {
    expect(storeChanges([6, 8], [8, 2])).toEqual({ addStoreIds: [2], removeStoreIds: [6] });
    expect(storeChanges([], [1, 2])).toEqual({ addStoreIds: [1, 2], removeStoreIds: [] });
    expect(storeChanges([6, 8], [])).toEqual({ addStoreIds: [], removeStoreIds: [6, 8] });
  });

  test('a store removed and added back, or added and removed again, is no change', () => {
    let draft = draftFromSite(waikato);
    draft = addStore(removeStore(draft, 6), store(6));
    draft = removeStore(addStore(draft, store(2, 1, 'Central')), 2);
    expect(saveInputOf(draft)).toMatchObject({ addStoreIds: [], removeStoreIds: [] });
    expect(hasChanges(draft)).toBe(false);
  });
});

test('adding a store twice keeps one; adding back a removed store restores it as it was', () => {
  let draft = addStore(draftFromSite(waikato), store(2, 1, 'Central'));
  draft = addStore(draft, store(2, 1, 'Central'));
  expect(draft.stores.map((s) => s.storeId)).toEqual([6, 8, 2]);
  draft = addStore(removeStore(draft, 6), { ...store(6), siteName: 'somewhere else' });
  expect(draft.stores.find((s) => s.storeId === 6)!.siteName).toBe('Waikato');
});

test('saveInputOf sends the password only when one was typed, and null IDs for a new site', () => {
  const draft = draftFromSite(waikato);
  expect(saveInputOf(draft)).not.toHaveProperty('password');
  expect(saveInputOf(editFields(draft, { password: 'new secret' }), ['change_password_of_active_site'])).toMatchObject({
    siteId: 3,
    expectedVersion: 4,
    password: 'new secret',
    confirmations: ['change_password_of_active_site'],
  });
  const fresh = draftFromSite({ ...waikato, isNew: true, siteId: 9, version: 0, stores: [] });
  expect(saveInputOf(fresh)).toMatchObject({ siteId: null, expectedVersion: null });
  expect(hasChanges(fresh)).toBe(true);
});

test('withServerSite takes the new version and hardware ID but keeps the edits', () => {
  let draft = editFields(draftFromSite(waikato), { name: 'Waikato North', code: 'WN' });
  draft = removeStore(draft, 6);
  draft = withServerSite(draft, { ...waikato, version: 5, hardwareId: '', isActiveOnThisDatafile: true });
  expect(draft).toMatchObject({ name: 'Waikato North', code: 'WN', version: 5, hardwareId: '', isActiveOnThisDatafile: true });
  expect(saveInputOf(draft)).toMatchObject({ expectedVersion: 5, removeStoreIds: [6] });
});

test('fieldErrorsOf places errors next to their fields', () => {
  const invalid = appError('validation_failed', undefined, {
    issues: [
      { field: 'code', message: 'Site code can be at most 40 characters.' },
      { field: 'addStoreIds.3', message: 'Store ID must be a positive number.' },
    ],
  });
  expect(fieldErrorsOf(invalid)).toEqual({
    fields: { code: 'Site code can be at most 40 characters.', stores: 'Store ID must be a positive number.' },
    general: false,
  });
  expect(fieldErrorsOf(appError('site_name_taken'))).toMatchObject({ fields: { name: expect.stringContaining('unique') } });
  expect(fieldErrorsOf(appError('site_changed'))).toEqual({ fields: {}, general: true });
});
