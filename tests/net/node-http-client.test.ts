/**
 * Node's own HTTP client (the "Use js node HTTP client" choice) against real servers on 127.0.0.1:
 * what fetch used to do for the sync must still hold (whole answers, compressed ones, limits in
 * size and time, no redirect followed, connections kept open), and every failure is one of the
 * transport failures Check connection puts in words.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import zlib from 'node:zlib';
import { NodeHttpClient } from '../../main/net/node-http-client';
import type { SyncHttpRequest } from '../../main/net/http-client';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

let handler: Handler;
let server: http.Server;
let base: string;
const connections: Socket[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => handler(request, response));
  server.on('connection', (socket) => connections.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of connections) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Compared whole, without printing a megabyte when it differs. */
const expectBigAnswer = (body: string) => {
  expect(body.length).toBe(bigAnswer.length);
  expect(body === bigAnswer).toBe(true);
};

const get = (path: string, timeoutMs = 5000): SyncHttpRequest => ({ method: 'GET', url: `${base}${path}`, headers: {}, timeoutMs });

/** A sync answer of about 1 MB (a pull of 10,000 stock lines is about 3 MB). */
const bigAnswer = JSON.stringify({
  data: Array.from({ length: 10_000 }, (_, i) => ({ syncOutId: 1, recordId: `line-${i}`, recordData: { itemName: `Item ${i} — ünïcödé` } })),
});

describe('NodeHttpClient', () => {
  it('reads a large answer whole, with its length declared or sent in chunks, and keeps multi-byte characters intact', async () => {
    const client = new NodeHttpClient();
    handler = (request, response) => {
      if (request.url === '/declared') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(bigAnswer) });
        response.end(bigAnswer);
        return;
      }
      // Chunked, split in the middle of a multi-byte character.
      const bytes = Buffer.from(bigAnswer);
      const cut = bytes.indexOf(Buffer.from('ü')) + 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(bytes.subarray(0, cut));
      setTimeout(() => response.end(bytes.subarray(cut)), 20);
    };
    for (const path of ['/declared', '/chunked']) {
      const answer = await client.request(get(path));
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('application/json');
      expectBigAnswer(answer.body);
    }
  });

  it('sends a POST body with its length, and the headers it was given', async () => {
    const client = new NodeHttpClient();
    handler = (request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ body, length: request.headers['content-length'], site: request.headers['msupply-site'] }));
      });
    };
    const body = JSON.stringify({ syncIDs: [1, 2, 3], note: 'ä' });
    const answer = await client.request({ method: 'POST', url: `${base}/echo`, headers: { 'msupply-site': 'Waikato' }, body, timeoutMs: 5000 });
    expect(JSON.parse(answer.body)).toEqual({ body, length: String(Buffer.byteLength(body)), site: 'Waikato' });
  });

  it('reads compressed answers (gzip, deflate, br) and refuses an encoding it does not know', async () => {
    const client = new NodeHttpClient();
    const encoders: Record<string, (data: Buffer) => Buffer> = {
      gzip: (data) => zlib.gzipSync(data),
      deflate: (data) => zlib.deflateSync(data),
      br: (data) => zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }),
      zstd: (data) => data,
    };
    handler = (request, response) => {
      const encoding = request.url!.slice(1);
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
      response.end(encoders[encoding]!(Buffer.from(bigAnswer)));
    };
    for (const encoding of ['gzip', 'deflate', 'br']) expectBigAnswer((await client.request(get(`/${encoding}`))).body);
    await expect(client.request(get('/zstd'))).rejects.toMatchObject({ kind: 'bad_response' });
  });

  it('refuses an answer over the size limit, whether its length is declared, sent in chunks, or only known once decompressed', async () => {
    const client = new NodeHttpClient(500_000);
    handler = (request, response) => {
      if (request.url === '/declared') {
        response.writeHead(200, { 'content-length': Buffer.byteLength(bigAnswer) });
        response.end(bigAnswer);
      } else if (request.url === '/chunked') {
        response.writeHead(200);
        response.end(bigAnswer);
      } else {
        const packed = zlib.gzipSync(Buffer.from(bigAnswer));
        expect(packed.length).toBeLessThan(500_000);
        response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': packed.length });
        response.end(packed);
      }
    };
    for (const path of ['/declared', '/chunked', '/gzip']) {
      await expect(client.request(get(path))).rejects.toMatchObject({ kind: 'bad_response', message: expect.stringContaining('too large') });
    }
  });

  it('never follows a redirect: the 3xx comes back as it is, and its target is never asked', async () => {
    const client = new NodeHttpClient();
    const asked: string[] = [];
    handler = (request, response) => {
      asked.push(request.url!);
      if (request.url === '/moved') {
        response.writeHead(302, { location: `${base}/elsewhere` });
        response.end();
      } else {
        response.end('{}');
      }
    };
    const answer = await client.request(get('/moved'));
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe(`${base}/elsewhere`);
    expect(asked).toEqual(['/moved']);
  });

  it('keeps the connection open between calls', async () => {
    const client = new NodeHttpClient();
    handler = (_request, response) => response.end('{}');
    await client.request(get('/one'));
    const before = connections.length;
    for (let i = 0; i < 5; i += 1) await client.request(get(`/again-${i}`));
    expect(connections.length).toBe(before);
  });

  it('gives up when the whole exchange takes longer than its limit, also once the answer has begun', async () => {
    const client = new NodeHttpClient();
    const pending: http.ServerResponse[] = [];
    handler = (request, response) => {
      pending.push(response);
      // Headers and the start of the body, then nothing.
      if (request.url === '/stalls-in-body') {
        response.writeHead(200, { 'content-length': 1000 });
        response.write('{"data": [');
      }
    };
    for (const path of ['/silent', '/stalls-in-body']) {
      const started = performance.now();
      await expect(client.request(get(path, 200))).rejects.toMatchObject({ kind: 'timed_out' });
      expect(performance.now() - started).toBeGreaterThanOrEqual(190);
      expect(performance.now() - started).toBeLessThan(2000);
    }
    for (const response of pending) response.destroy();
  });

  it('says unable to connect when nothing listens, or the URL is not http(s)', async () => {
    const client = new NodeHttpClient();
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(client.request({ method: 'GET', url: `http://127.0.0.1:${port}/sync/v5/site`, headers: {}, timeoutMs: 2000 })).rejects.toMatchObject(
      {
        kind: 'unable_to_connect',
        detail: 'ECONNREFUSED',
      },
    );
    await expect(client.request({ method: 'GET', url: 'ftp://127.0.0.1/', headers: {}, timeoutMs: 2000 })).rejects.toMatchObject({
      kind: 'unable_to_connect',
    });
  });

  it('says unable to connect when the server drops the connection in the middle of the answer', async () => {
    const client = new NodeHttpClient();
    handler = (_request, response) => {
      response.writeHead(200, { 'content-length': 1000 });
      response.write('{"data": [');
      setTimeout(() => response.socket?.destroy(), 20);
    };
    await expect(client.request(get('/drops'))).rejects.toMatchObject({ kind: 'unable_to_connect' });
  });
});
