/**
 * scrypt at low CPU priority. Password checks cost about 0.3 s of CPU each; run in libuv's thread
 * pool they compete as equals with the thread that answers every other call, and a burst of new
 * sign-ins slows everyone's syncs. Here they run in one worker thread which, on Linux, lowers its
 * own priority to nice 10 (there it applies to the calling thread only): while the machine has
 * CPU to spare a check runs at full speed; when it has not, the event loop gets about ten times
 * the check's share.
 *
 * One worker runs one check at a time, which is what the sign-in limiters allow anyway (fewer slow
 * checks than cores). Elsewhere (Windows, macOS: a process-wide priority) the worker keeps normal
 * priority. The worker is started on first use and never keeps the process alive.
 */
import { Worker } from 'node:worker_threads';

const workerSource = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const os = require('node:os');
if (process.platform === 'linux') {
  try { os.setPriority(0, 10); } catch {}
}
parentPort.on('message', (job) => {
  try {
    const key = crypto.scryptSync(job.secret, job.salt, job.keyLength, { N: job.N, r: job.r, p: job.p, maxmem: job.maxmem });
    parentPort.postMessage({ id: job.id, key });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String((error && error.message) || error) });
  }
});
`;

interface Job {
  resolve: (key: Buffer) => void;
  reject: (error: Error) => void;
}

export interface ScryptJob {
  secret: Buffer;
  salt: Buffer;
  keyLength: number;
  N: number;
  r: number;
  p: number;
  maxmem: number;
}

let worker: Worker | null = null;
const jobs = new Map<number, Job>();
let nextId = 1;

function failAll(error: Error): void {
  for (const job of jobs.values()) job.reject(error);
  jobs.clear();
}

function theWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(workerSource, { eval: true });
  started.unref();
  started.on('message', (message: { id: number; key?: Uint8Array; error?: string }) => {
    const job = jobs.get(message.id);
    if (!job) return;
    jobs.delete(message.id);
    if (jobs.size === 0) started.unref();
    if (message.key) job.resolve(Buffer.from(message.key));
    else job.reject(new Error(message.error ?? 'scrypt failed'));
  });
  started.on('error', (error) => {
    worker = null;
    failAll(error);
  });
  started.on('exit', () => {
    if (worker === started) worker = null;
    failAll(new Error('The password check worker stopped.'));
  });
  worker = started;
  return started;
}

/** scrypt in the low-priority worker; the same bytes as node:crypto's scrypt. */
export function lowPriorityScrypt(job: ScryptJob): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    jobs.set(id, { resolve, reject });
    const running = theWorker();
    // Keeps the process alive only while a check is running (a server answers it; a script waits).
    running.ref();
    running.postMessage({ id, ...job });
  });
}
