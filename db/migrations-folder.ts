import fs from 'node:fs';
import path from 'node:path';

/**
 * Where the committed SQL migrations are. From source they sit beside this file; bundles copy them
 * next to themselves (dist/migrations) and the packaged app ships them as an extra resource.
 */
export function findMigrationsFolder(explicit?: string): string {
  const candidates = [
    explicit,
    process.env.SYNC_SITES_MIGRATIONS,
    path.join(__dirname, 'migrations'),
    path.join(__dirname, '..', 'migrations'),
    path.join(__dirname, '..', 'db', 'migrations'),
    path.join(__dirname, '..', '..', 'db', 'migrations'),
  ].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    if (fs.existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate;
  }
  throw new Error(`The datafile migrations were not found (looked in: ${candidates.join(', ')}).`);
}

export interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

export function readJournal(migrationsFolder: string): JournalEntry[] {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  return journal.entries;
}
