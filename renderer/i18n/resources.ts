/** Every namespace of every language, bundled: the window never waits for a file to load. */
import enCommon from './locales/en/common.json';
import enErrors from './locales/en/errors.json';
import enSites from './locales/en/sites.json';
import enStock from './locales/en/stock.json';
import enSync from './locales/en/sync.json';
import enUsers from './locales/en/users.json';
import esCommon from './locales/es/common.json';
import esErrors from './locales/es/errors.json';
import esSites from './locales/es/sites.json';
import esStock from './locales/es/stock.json';
import esSync from './locales/es/sync.json';
import esUsers from './locales/es/users.json';
import frCommon from './locales/fr/common.json';
import frErrors from './locales/fr/errors.json';
import frSites from './locales/fr/sites.json';
import frStock from './locales/fr/stock.json';
import frSync from './locales/fr/sync.json';
import frUsers from './locales/fr/users.json';

type Strings = Record<string, string>;
type Namespaces = { common: Strings; errors: Strings; sites: Strings; stock: Strings; sync: Strings; users: Strings };

export const resources: { en: Namespaces; fr: Namespaces; es: Namespaces } = {
  en: { common: enCommon, errors: enErrors, sites: enSites, stock: enStock, sync: enSync, users: enUsers },
  fr: { common: frCommon, errors: frErrors, sites: frSites, stock: frStock, sync: frSync, users: frUsers },
  es: { common: esCommon, errors: esErrors, sites: esSites, stock: esStock, sync: esSync, users: esUsers },
};
