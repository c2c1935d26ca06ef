/**
 * Every namespace of every language, bundled: the window never waits for a file to load. Here in
 * shared/ because the desktop menu and the dialogs main shows (namespace `menu`) use them too.
 */
import enCommon from './en/common.json';
import enErrors from './en/errors.json';
import enMenu from './en/menu.json';
import enSites from './en/sites.json';
import enStock from './en/stock.json';
import enSync from './en/sync.json';
import enUsers from './en/users.json';
import esCommon from './es/common.json';
import esErrors from './es/errors.json';
import esMenu from './es/menu.json';
import esSites from './es/sites.json';
import esStock from './es/stock.json';
import esSync from './es/sync.json';
import esUsers from './es/users.json';
import frCommon from './fr/common.json';
import frErrors from './fr/errors.json';
import frMenu from './fr/menu.json';
import frSites from './fr/sites.json';
import frStock from './fr/stock.json';
import frSync from './fr/sync.json';
import frUsers from './fr/users.json';

type Strings = Record<string, string>;
type Namespaces = { common: Strings; errors: Strings; menu: Strings; sites: Strings; stock: Strings; sync: Strings; users: Strings };

export const resources: { en: Namespaces; fr: Namespaces; es: Namespaces } = {
  en: { common: enCommon, errors: enErrors, menu: enMenu, sites: enSites, stock: enStock, sync: enSync, users: enUsers },
  fr: { common: frCommon, errors: frErrors, menu: frMenu, sites: frSites, stock: frStock, sync: frSync, users: frUsers },
  es: { common: esCommon, errors: esErrors, menu: esMenu, sites: esSites, stock: esStock, sync: esSync, users: esUsers },
};
