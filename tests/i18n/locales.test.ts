/**
 * Every language says everything English says: each key in every locale (with the plural forms its
 * language needs), with the same {{variables}}; and every key the windows ask for exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { confirmationKinds, connectionOutcomes, syncErrorCodes, syncPhases, syncSteps } from '../../shared/contract';
import { errorMessages } from '../../shared/errors';
import { siteTypes } from '../../shared/operations';
import { fieldRules } from '../../shared/validate';
import { resources } from '../../shared/locales/resources';
import { pseudo } from '../../renderer/i18n/pseudo';

type Strings = Record<string, string>;
const pluralSuffix = /_(zero|one|two|few|many|other)$/;
const baseOf = (key: string) => key.replace(pluralSuffix, '');
const variables = (text: string) => new Set([...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]!));

/** Per key without its plural suffix: the forms present and the variables they use together. */
function byBase(strings: Strings) {
  const out = new Map<string, { forms: Set<string>; vars: Set<string> }>();
  for (const [key, text] of Object.entries(strings)) {
    const base = baseOf(key);
    const entry = out.get(base) ?? { forms: new Set(), vars: new Set() };
    const form = pluralSuffix.exec(key)?.[1];
    if (form) entry.forms.add(form);
    for (const v of variables(text)) entry.vars.add(v);
    out.set(base, entry);
  }
  return out;
}

const languages = Object.keys(resources) as (keyof typeof resources)[];
const namespaces = Object.keys(resources.en) as (keyof (typeof resources)['en'])[];

describe.each(languages.filter((l) => l !== 'en'))('%s', (language) => {
  test.each(namespaces)('namespace %s has every English key with the same variables and its own plural forms', (ns) => {
    const english = byBase(resources.en[ns]);
    const translated = byBase(resources[language][ns]);
    expect([...translated.keys()].sort()).toEqual([...english.keys()].sort());
    const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
    for (const [base, en] of english) {
      const here = translated.get(base)!;
      // A plural form may leave out {{count}} ("la synchronisation"); every other variable stays.
      const expected = [...en.vars].filter((v) => v !== 'count' || here.forms.size === 0).sort();
      const found = [...here.vars].filter((v) => v !== 'count' || here.forms.size === 0).sort();
      expect({ key: `${ns}:${base}`, vars: found }).toEqual({ key: `${ns}:${base}`, vars: expected });
      if (en.forms.size > 0) {
        for (const category of categories)
          expect({ key: `${ns}:${base}`, has: here.forms.has(category) || category === 'zero' }).toEqual({ key: `${ns}:${base}`, has: true });
      }
      for (const text of Object.entries(resources[language][ns])
        .filter(([k]) => baseOf(k) === base)
        .map(([, v]) => v)) {
        expect(text.trim()).not.toBe('');
      }
    }
  });
});

test('every key the windows ask for by name exists in English', () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.tsx?$/.test(entry.name)) files.push(full);
    }
  };
  walk(path.join(__dirname, '../../renderer'));
  const english = Object.fromEntries(namespaces.map((ns) => [ns, new Set([...Object.keys(resources.en[ns])].map(baseOf))]));
  const missing: string[] = [];
  let asked = 0;
  for (const file of files) {
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\bt\(\s*'([^'$]+)'/g)) {
      asked += 1;
      const [ns, key] = match[1]!.includes(':') ? match[1]!.split(':', 2) : ['common', match[1]!];
      if (!english[ns as keyof typeof english]?.has(key!)) missing.push(`${path.relative(process.cwd(), file)}: ${match[1]}`);
    }
  }
  expect(asked).toBeGreaterThan(200);
  expect(missing).toEqual([]);
});

test("every key the desktop menu and main's dialogs ask for exists in the menu namespace", () => {
  const folder = path.join(__dirname, '../../main/electron');
  const menu = new Set(Object.keys(resources.en.menu));
  const missing: string[] = [];
  let asked = 0;
  for (const file of fs.readdirSync(folder).filter((f) => f.endsWith('.ts'))) {
    const source = fs.readFileSync(path.join(folder, file), 'utf8');
    for (const match of source.matchAll(/\bt\(\s*'([^'$]+)'/g)) {
      asked += 1;
      if (!menu.has(match[1]!)) missing.push(`${file}: ${match[1]}`);
    }
  }
  expect(asked).toBeGreaterThan(60);
  expect(missing).toEqual([]);
});

test("the keys built from the contract's codes all exist: every error, confirmation, sync failure, step, phase and validation rule", () => {
  const has = (ns: keyof (typeof resources)['en'], key: string) =>
    key in resources.en[ns] || `${key}_one` in resources.en[ns] ? null : `${ns}:${key}`;
  const missing = [
    ...Object.keys(errorMessages).map((code) => has('errors', code)),
    ...confirmationKinds.map((kind) => has('errors', `confirm.${kind}`)),
    ...syncErrorCodes.flatMap((code) => [has('sync', `hint.${code}`), has('sync', `error.${code}`)]),
    ...connectionOutcomes.map((outcome) => has('sync', `connection.${outcome}`)),
    ...syncSteps.map((step) => has('sync', `step.${step}`)),
    ...syncPhases.map((phase) => has('sync', `phase.${phase}`)),
    ...['locked', 'failing', 'late', 'never_synced', 'ok'].map((status) => has('sync', `status.${status}`)),
    ...['running', 'success', 'failed', 'interrupted'].map((outcome) => has('sync', `outcome.${outcome}`)),
    ...siteTypes.map((type) => has('sites', `type.${type}`)),
    ...fieldRules.map((rule) => has('errors', `rule.${rule}`)),
  ].filter(Boolean);
  expect(missing).toEqual([]);
});

test('English words the errors exactly as the contract does, so English reads the same everywhere', () => {
  for (const [code, message] of Object.entries(errorMessages)) {
    if (code === 'site_has_stores') continue; // worded with its count of stores
    expect({ code, text: resources.en.errors[code] }).toEqual({ code, text: message });
  }
});

test('the pseudo-locale accents every letter, keeps variables and tags whole, and is about a third longer', () => {
  const text = 'Showing {{shown, number}} of <1>{{count}}</1> sites';
  const p = pseudo(text);
  expect(p).toMatch(/^\[Šĥôŵîñĝ \{\{shown, number\}\} ôƒ <1>\{\{count\}\}<\/1> šîţèš~+\]$/);
  expect(p.length).toBeGreaterThan(text.length * 1.1);
  expect(pseudo('Sites')).not.toMatch(/[A-Za-z]{2}/);
});
