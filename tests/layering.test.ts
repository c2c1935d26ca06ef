/**
 * The layers, kept honest: shared/ imports nothing but zod; db/ and the domain services never
 * import electron, react or an HTTP framework; only main/electron/ imports electron; the renderer
 * never imports main/ or db/ (it reaches them only through the contract).
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

function sourceFiles(folder: string): string[] {
  return fs
    .readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(ts|tsx)$/.test(d.name))
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)));
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  const required = [...text.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
  const dynamic = [...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
  const sideEffect = [...text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  return [...found, ...required, ...dynamic, ...sideEffect];
}

function violations(folder: string, allowed: (specifier: string, file: string) => boolean): string[] {
  return sourceFiles(folder).flatMap((file) => importsOf(file).filter((s) => !allowed(s, file)).map((s) => `${file} imports ${s}`));
}

const isRelativeWithin = (specifier: string, file: string, folders: string[]) => {
  if (!specifier.startsWith('.')) return false;
  const target = path.relative(root, path.resolve(root, path.dirname(file), specifier));
  return folders.some((f) => target === f || target.startsWith(`${f}/`));
};

describe('the layers', () => {
  it('shared/ imports only zod and itself', () => {
    expect(violations('shared', (s, f) => s === 'zod' || isRelativeWithin(s, f, ['shared']))).toEqual([]);
  });

  it('db/ never imports electron, react or an HTTP framework', () => {
    expect(violations('db', (s) => !/^(electron|react|react-dom|fastify|@fastify\/)/.test(s))).toEqual([]);
  });

  it('only main/electron/ imports electron', () => {
    const outside = ['shared', 'db', 'main', 'renderer', 'scripts'].flatMap((folder) =>
      violations(folder, (s, f) => f.startsWith('main/electron/') || s !== 'electron'),
    );
    expect(outside).toEqual([]);
  });

  it('the domain services import no transport or UI library', () => {
    expect(violations('main/services', (s) => !/^(electron|react|react-dom|fastify|@fastify\/)/.test(s))).toEqual([]);
  });

  it('the renderer reaches main only through the contract', () => {
    expect(violations('renderer', (s, f) => !s.startsWith('.') || isRelativeWithin(s, f, ['renderer', 'shared']))).toEqual([]);
  });
});
