/** The sync module's public face, for the Electron main process, the headless server and tests. */
export { createCentralServer, type CentralServerOptions } from './central-server';
export { startServer, DEFAULT_CENTRAL_PORT, type RunningServer, type StartServerOptions } from './start-server';
export { createRemoteSync, RemoteSync, connectionMessages, parseCentralUrl, type RemoteSyncOptions } from './remote-sync';
export {
  NodeFetchClient,
  SyncTransportError,
  type SyncHttpClient,
  type SyncHttpRequest,
  type SyncHttpResponse,
} from './http-client';
export { defaultRetryPolicy, type RetryPolicy } from './request-with-retry';
export { defaultSignInLimits, type SignInLimitOptions, type FailureLimits } from './sign-in-limiter';
export * from './protocol';
