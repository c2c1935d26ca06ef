/**
 * A remote site's sync runs (Sync now, or the scheduler), one at a time, and the status line.
 * A run pushes first, then pulls:
 *
 * 1. GET site: who the central says this site is (the Site mismatch guard).
 * 2. Acknowledge what the last run applied but could not acknowledge (queued-records.ts).
 * 3. Push this site's changes (push.ts).
 * 4. First run only: POST initialise and wait while the central prepares this site's data.
 * 5. Pull sites and stores by cursor (central-records.ts).
 * 6. Pull this site's queue of store data (queued-records.ts).
 *
 * Every step is safe to repeat: applying a record twice is harmless, and pushed records carry
 * their remote_out ID, which the central integrates at most once.
 */
import { EventEmitter } from 'node:events';
import { holdCheckpoints } from '../../../db/checkpoints';
import type { Datafile } from '../../../db/datafile';
import { getSetting, type RemoteSyncSettings, setSetting } from '../../../db/settings';
import {
  type ConfirmableResult,
  type SyncErrorCode,
  type SyncLogEntry,
  type SyncPhase,
  type SyncStatus,
  type SyncStep,
  type SyncStepProgress,
  syncErrorCodes,
  syncSteps,
} from '../../../shared/contract';
import { AppFailure } from '../../../shared/errors';
import { type Actor, requireEditSyncSettings } from '../../services/actor';
import { isCentralServerDatafile, isFirstSyncUnderway, isFreshDatafile } from '../../services/datafile-role';
import { applyOwnSiteSettings, type OwnSiteSettings } from '../../services/own-site-settings';
import { storeRecordStatements } from '../../services/store-records';
import { DEFAULT_PULL_BATCH, syncRoutes } from '../protocol';
import { connectionMessages, notUnderstood } from './central-answer';
import { CentralCalls, SyncRunError } from './central-calls';
import { pullCentralRecords } from './central-records';
import { notConfiguredMessage, type RemoteConnection } from './connection';
import { pushChanges } from './push';
import { acknowledgePending, pullQueuedRecords } from './queued-records';
import type { RunContext } from './run-context';
import { SyncLog, type SyncLogLimits } from './sync-log';
import { SyncStateStore } from './sync-state';

export interface SyncRunnerOptions {
  /** Records per pushed batch. */
  pushBatch?: number;
  /** Records asked for per pull. */
  pullBatch?: number;
  /** Pause between site_status polls while the central is busy for this site. */
  statusPollMs?: number;
  /** Longest wait for the central to finish integrating or initialising. */
  maxBusyWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** How long, and how many runs, the sync log keeps. */
  log?: SyncLogLimits;
}

/** The step of the status line each phase of a run belongs to (connecting belongs to none). */
const stepOfPhase: Record<SyncPhase, SyncStep | null> = {
  connecting: null,
  pushing: 'push',
  integrating: 'integrate',
  pulling_central: 'pull_central',
  initialising: 'pull_queue',
  pulling: 'pull_queue',
};

const freshSteps = (): SyncStepProgress[] => syncSteps.map((step) => ({ step, state: 'waiting', done: 0, total: 0 }));

function isSyncErrorCode(code: unknown): code is SyncErrorCode {
  return typeof code === 'string' && (syncErrorCodes as readonly string[]).includes(code);
}

export interface SyncRunnerEvents {
  /** Status changed: progress, a run started or ended. */
  status: [];
  /** A run ended (successfully or not): the scheduler counts the interval from here. */
  runFinished: [];
  intervalChanged: [];
}

export { SyncRunError };

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SyncRunner {
  readonly events = new EventEmitter<SyncRunnerEvents>();
  private current: Promise<SyncStatus> | null = null;
  private progress: SyncStatus['progress'] = null;
  private steps: SyncStepProgress[] = freshSteps();
  private runningLogId: number | null = null;
  private readonly log: SyncLog;
  private closed = false;
  /** Set by the scheduler, for the status line. */
  nextRunAt: Date | null = null;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly records: ReturnType<typeof storeRecordStatements>;
  private readonly state: SyncStateStore;

  constructor(
    private readonly datafile: Datafile,
    private readonly connection: RemoteConnection,
    private readonly options: SyncRunnerOptions = {},
  ) {
    this.sleep = options.sleep ?? sleepFor;
    this.records = storeRecordStatements(datafile.sqlite);
    this.state = new SyncStateStore(datafile.sqlite);
    this.log = new SyncLog(datafile.sqlite, options.log);
  }

  /** The sync log, newest first. */
  listLog(): SyncLogEntry[] {
    return this.log.list(this.runningLogId);
  }

  private get sqlite() {
    return this.datafile.sqlite;
  }

  /** Stops a run between steps; the next run (after reopening) carries on where it left off. */
  close(): void {
    this.closed = true;
  }

  // ---- status --------------------------------------------------------------------------------

  intervalMinutes(): number {
    return getSetting(this.sqlite, 'sync_interval_minutes') ?? 10;
  }

  setIntervalMinutes(minutes: number): void {
    setSetting(this.sqlite, 'sync_interval_minutes', minutes);
    this.events.emit('intervalChanged');
    this.events.emit('status');
  }

  status(): SyncStatus {
    const settings = this.connection.settings();
    const state = settings ? this.state.read(settings) : null;
    const counts = this.sqlite
      .prepare(
        `select count(*) filter (where refused_at is null) as waitingOut, count(*) filter (where refused_at is not null) as refused,
                (select refused_message from remote_out where refused_at is not null order by id desc limit 1) as refusedMessage
         from remote_out`,
      )
      .get() as { waitingOut: number; refused: number; refusedMessage: string | null };
    const isCentral = isCentralServerDatafile(this.sqlite);
    // A first sync cut short is no central server either (datafile-role.ts, isFirstSyncUnderway).
    const fresh = isFreshDatafile(this.sqlite);
    return {
      configured: settings !== undefined,
      isCentralServer: isCentral && !(settings && fresh),
      canEnableSync: !isCentral || fresh,
      initialised: state?.initialisedAt != null,
      running: this.current !== null,
      progress: this.current ? this.progress : null,
      lastSuccessAt: state?.lastSuccessAt ?? null,
      lastAttemptAt: state?.lastAttemptAt ?? null,
      lastError: state?.lastError ?? null,
      lastErrorCode: state?.lastError && isSyncErrorCode(state.lastErrorCode) ? state.lastErrorCode : state?.lastError ? 'unexpected' : null,
      waitingOut: counts.waitingOut,
      waitingIn: state?.waitingIn ?? null,
      refused: counts.refused,
      refusedMessage: counts.refusedMessage,
      intervalMinutes: this.intervalMinutes(),
      nextRunAt: this.nextRunAt ? this.nextRunAt.toISOString() : null,
    };
  }

  /**
   * A new datafile starts as its own central server until its first sync makes it the remote site;
   * a datafile that already holds a system of sites and stores must never be overwritten. Sites and
   * stores that the central itself sent during a first sync cut short do not count as such a system
   * (such a datafile is no central server: datafile-role.ts, isFirstSyncUnderway).
   */
  private maySync(): boolean {
    return !isCentralServerDatafile(this.sqlite) || isFreshDatafile(this.sqlite);
  }

  /**
   * A step's progress: the steps before it are done (a run takes them in order), and the step
   * keeps the largest figures it reported (waiting for the central reports none).
   */
  private setProgress(phase: SyncPhase, message: string, done = 0, total = 0): void {
    const step = stepOfPhase[phase];
    if (step) {
      const at = syncSteps.indexOf(step);
      this.steps = this.steps.map((s, index) => {
        if (index < at) return s.state === 'done' ? s : { ...s, state: 'done' };
        if (index > at) return s;
        const doneNow = Math.max(s.done, done);
        return { step, state: 'running', done: doneNow, total: Math.max(s.total, total, doneNow) };
      });
    }
    this.progress = { phase, message, done, total, steps: this.steps };
    this.events.emit('status');
  }

  // ---- re-initialise -------------------------------------------------------------------------

  /**
   * Re-initialise (an administrator of this remote site, after a confirmation): the next run asks
   * the central to start the site afresh and fetches everything again. Store data held here is
   * dropped, except lines with changes not sent yet: those changes are kept and sent (the central
   * takes them, or lists them for review when the line changed since), so nothing is lost.
   */
  reinitialise(actor: Actor, input: { confirmed: boolean }): Promise<ConfirmableResult<{ sync: SyncStatus }>> {
    requireEditSyncSettings(actor);
    const settings = this.connection.settings();
    if (!settings) return Promise.reject(new AppFailure('sync_not_configured', notConfiguredMessage));
    if (!this.maySync()) return Promise.reject(new AppFailure('sync_not_on_central'));
    if (this.current) return Promise.reject(new AppFailure('sync_is_running', 'A sync is running. Wait for it to finish, then Re-initialise.'));
    if (!input.confirmed) {
      return Promise.resolve({
        status: 'needs_confirmation',
        confirmations: [
          {
            kind: 'reinitialise_sync',
            message:
              `Re-initialise "${settings.siteName}"? This datafile fetches all of the site's data again from the central server. ` +
              'Changes made here that were not sent yet are kept and sent first.',
            data: { name: settings.siteName },
          },
        ],
      });
    }
    this.sqlite
      .transaction(() => {
        this.sqlite
          .prepare(
            'delete from store_record where not exists (select 1 from remote_out o where o.record_id = store_record.id and o.refused_at is null)',
          )
          .run();
        // Half-way through a first sync cut short the sites and stores taken so far are kept: without
        // them this datafile would be its own central server again, holding the central's sites.
        const centralCursor = isFirstSyncUnderway(this.sqlite) ? this.state.read(settings).centralCursor : 0;
        this.state.update(settings, {
          initialisedAt: null,
          centralCursor,
          pendingAcks: [],
          pendingAppliedUpTo: [],
          waitingIn: null,
          reinitialise: true,
        });
      })
      .immediate();
    return this.syncNow().then((sync) => ({ status: 'done', sync }));
  }

  // ---- the run -------------------------------------------------------------------------------

  /** Runs a sync, or joins the one already running. Never rejects for sync failures: they are in lastError. */
  syncNow(): Promise<SyncStatus> {
    if (this.current) return this.current;
    const settings = this.connection.settings();
    const isCentral = isCentralServerDatafile(this.sqlite);
    if (!settings) {
      return Promise.reject(isCentral ? new AppFailure('sync_not_on_central') : new AppFailure('sync_not_configured', notConfiguredMessage));
    }
    if (!this.maySync()) return Promise.reject(new AppFailure('sync_not_on_central'));
    // Started on the next tick, so `current` is set before the run reports its first progress;
    // the status answered is read after the run is over (running: false).
    const run = Promise.resolve()
      .then(() => this.run(settings))
      .finally(() => {
        this.current = null;
        this.progress = null;
        this.steps = freshSteps();
        this.events.emit('runFinished');
        this.events.emit('status');
      })
      .then(() => this.status());
    this.current = run;
    return run;
  }

  /** Records sent and received so far in this run, as its steps report them. */
  private counts(): { pushed: number; pulled: number } {
    const done = (step: SyncStep) => this.steps.find((s) => s.step === step)?.done ?? 0;
    return { pushed: done('push'), pulled: done('pull_central') + done('pull_queue') };
  }

  private async run(settings: RemoteSyncSettings): Promise<void> {
    const started = new Date();
    this.state.update(settings, { lastAttemptAt: started.toISOString() });
    this.steps = freshSteps();
    const logId = this.log.begin(started);
    this.runningLogId = logId;
    const letCheckpointsGo = holdCheckpoints(this.sqlite);
    try {
      await this.execute(settings);
      if (!this.closed) {
        this.state.update(settings, { lastSuccessAt: new Date().toISOString(), lastError: null, lastErrorCode: null });
        this.log.finish(logId, { outcome: 'success', ...this.counts() });
      }
    } catch (error) {
      if (this.closed || !this.sqlite.open) throw error;
      const message =
        error instanceof SyncRunError || error instanceof AppFailure
          ? error.message
          : 'Something went wrong during sync. It will be tried again on the next sync.';
      const code: SyncErrorCode = error instanceof SyncRunError ? error.code : 'unexpected';
      if (!(error instanceof SyncRunError)) console.error('Sync run failed:', error);
      this.state.update(settings, { lastError: message, lastErrorCode: code });
      this.log.finish(logId, { outcome: 'failed', ...this.counts(), error: message, errorCode: code });
    } finally {
      this.runningLogId = null;
      letCheckpointsGo();
    }
  }

  private checkOpen(): void {
    if (this.closed || !this.sqlite.open) throw new SyncRunError('Sync stopped: the datafile was closed.', 'stopped');
  }

  private async execute(settings: RemoteSyncSettings): Promise<void> {
    const progress = (phase: SyncPhase, message: string, done?: number, total?: number) => this.setProgress(phase, message, done, total);
    const central = new CentralCalls(this.connection, settings, this.state.read(settings).instanceId, {
      statusPollMs: this.options.statusPollMs,
      maxBusyWaitMs: this.options.maxBusyWaitMs,
      sleep: this.sleep,
      checkOpen: () => this.checkOpen(),
      progress,
    });
    const run: RunContext = {
      sqlite: this.sqlite,
      central,
      state: { read: () => this.state.read(settings), update: (change) => this.state.update(settings, change) },
      records: this.records,
      progress,
      batch: { push: this.options.pushBatch ?? 1000, pull: this.options.pullBatch ?? DEFAULT_PULL_BATCH },
    };

    progress('connecting', 'Connecting to the central server…');
    const site = (await central.call('GET', syncRoutes.site)) as { id?: unknown; siteId?: unknown } | null;
    if (typeof site?.id !== 'string' || typeof site.siteId !== 'number') throw new SyncRunError(notUnderstood, 'server_error');
    if (!this.connection.acceptSiteIdentity(settings, site.id)) throw new SyncRunError(connectionMessages.site_mismatch, 'site_mismatch');
    const initialise = async (reinitialise: boolean) => {
      const preparing = 'The central server is preparing this site’s data…';
      progress('initialising', preparing);
      const answer = (await central.call('POST', syncRoutes.initialise, reinitialise ? { reinitialise } : {})) as { queueLength?: number } | null;
      await central.waitUntilIdle('initialising', preparing);
      run.state.update({ waitingIn: typeof answer?.queueLength === 'number' ? answer.queueLength : null, reinitialise: false });
    };
    await acknowledgePending(run);
    // Re-initialise starts the site afresh on the central first, so changes kept here are taken
    // again whatever their numbers (a restored backup's are below what the central has seen).
    const again = run.state.read().reinitialise === true;
    if (again) await initialise(true);
    await pushChanges(run);
    if (!again && run.state.read().initialisedAt === null) await initialise(false);
    await pullCentralRecords(run, site.siteId, this.connection.hardwareId());
    applyOwnSiteSettings(this.sqlite, site.siteId, site as OwnSiteSettings);
    await pullQueuedRecords(run);
    if (run.state.read().initialisedAt === null) run.state.update({ initialisedAt: new Date().toISOString() });
  }
}
