/**
 * The layers of this project, enforced by dependency-cruiser (`npm run lint:layers`, and in
 * `npm test` through tests/layering.test.ts). An import may only point down this list, never up,
 * and never sideways between the two sides of sync:
 *
 *   main/electron   the one folder that imports electron (the desktop shell)
 *   main/hosts      what keeps a datafile open and serves it: desktop datafile host, server connection,
 *                   the HTTP server (sync API + admin API), the in-app central
 *   main/http       the contract over HTTP: admin API (fastify) and the desktop's client for it
 *   main/api        the contract implemented once over the core (validation, login, errors as values)
 *   main/core.ts    the composition root: services + the remote side of sync
 *   main/sync/central | main/sync/remote   each side of sync API v5; neither imports the other
 *   main/sync/protocol.ts                  what both ends share on the wire
 *   main/services | main/net               datafile rules and services | HTTP plumbing (client, retry, sign-in limits)
 *   db/             the datafile: schema, migrations, settings
 *   shared/         the contract: imports nothing but zod
 *
 * The renderer reaches main only through shared/ (the contract).
 */
const layers = [
  { name: 'db', path: '^db/', rank: 1 },
  { name: 'services', path: '^main/services/', rank: 2 },
  { name: 'net', path: '^main/net/', rank: 2 },
  { name: 'sync-protocol', path: '^main/sync/protocol\\.ts$', rank: 3 },
  { name: 'sync-central', path: '^main/sync/central/', rank: 4 },
  { name: 'sync-remote', path: '^main/sync/remote/', rank: 4 },
  { name: 'core', path: '^main/core\\.ts$', rank: 5 },
  { name: 'api', path: '^main/api/', rank: 6 },
  { name: 'http', path: '^main/http/', rank: 7 },
  { name: 'hosts', path: '^main/hosts/', rank: 8 },
  { name: 'electron-adapter', path: '^main/electron/', rank: 9 },
];

const layerRules = layers
  .map((layer) => ({ layer, above: layers.filter((other) => other !== layer && other.rank >= layer.rank) }))
  .filter(({ above }) => above.length > 0)
  .map(({ layer, above }) => ({
    name: `${layer.name}-imports-down-only`,
    comment: `${layer.path} may import only layers below it (see the list at the top of .dependency-cruiser.cjs).`,
    severity: 'error',
    from: { path: layer.path },
    to: { path: above.map((other) => other.path) },
  }));

const uiOrTransport = '^node_modules/(electron|react|react-dom|fastify|@fastify/[^/]+)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A circle (type-only imports included) makes a reader hold both ends at once: pass the narrow interface in instead.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'shared-imports-only-zod',
      comment: 'shared/ is the contract every layer and the renderer use: it imports nothing but zod and itself.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { pathNot: ['^shared/', '^node_modules/zod/'] },
    },
    {
      name: 'only-the-electron-adapter-imports-electron',
      comment: 'Electron cannot run here or in CI: everything that imports it stays in main/electron/.',
      severity: 'error',
      from: { pathNot: '^main/electron/' },
      to: { path: ['^node_modules/electron/', '^electron$'] },
    },
    {
      name: 'datafile-and-services-use-no-ui-or-transport',
      comment: 'db/ and the services hold the rules; no window, IPC or HTTP framework reaches them.',
      severity: 'error',
      from: { path: ['^db/', '^main/services/', '^main/net/', '^main/sync/protocol\\.ts$'] },
      to: { path: uiOrTransport },
    },
    {
      name: 'renderer-reaches-main-only-through-the-contract',
      comment: 'The windows talk to a SyncSitesApi; they import renderer/, shared/ and UI packages only.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: ['^main/', '^db/', '^scripts/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules/', '^dist/'] },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.cjs', '.json'] },
  },
};
