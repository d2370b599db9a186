import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@checkout-lab/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallFailed, jsonClient, keptAliveAgent } from '../src/http-client';

describe('jsonClient: one service calling another', () => {
  let server: http.Server;
  let base: string;
  const seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() });
        if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 1000);
        if (req.url === '/not-json') return void res.end('<html>');
        if (req.url === '/missing') {
          res.statusCode = 404;
          return void res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'x' } }));
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ echo: chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : null }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('when a JSON body is posted, then it arrives with its headers and the JSON answer comes back', async () => {
    const client = jsonClient(base, { timeoutMs: 500 });
    const answer = await client.post('/echo', { headers: { 'x-request-id': 'r-1' }, body: { hold_id: 'h' } });
    expect(answer).toEqual({ status: 200, ok: true, body: { echo: { hold_id: 'h' } } });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', headers: { 'x-request-id': 'r-1' } });
    expect(seen.at(-1)?.headers['content-type']).toBe('application/json');
    client.close();
  });

  it('when the answer is a 404 or not JSON, then the status comes back with a null body where nothing parses', async () => {
    const client = jsonClient(base, { timeoutMs: 500 });
    expect(await client.get('/missing')).toMatchObject({
      status: 404,
      ok: false,
      body: { error: { code: 'NOT_FOUND' } },
    });
    expect(await client.get('/not-json')).toEqual({ status: 200, ok: true, body: null });
    client.close();
  });

  it('when the service is slow, then the call fails as a timeout; when nothing listens, as unreachable', async () => {
    const client = jsonClient(base, { timeoutMs: 100 });
    await expect(client.get('/slow')).rejects.toMatchObject({ reason: 'timeout', name: 'TimeoutError' });
    const nobody = jsonClient(`http://127.0.0.1:${await freePort()}`, { timeoutMs: 500 });
    const failure = await nobody.get('/').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CallFailed);
    expect(failure).toMatchObject({ reason: 'unreachable' });
    client.close();
    nobody.close();
  });
});

describe('keptAliveAgent: idle connections between services', () => {
  it('when a kept-alive connection has been idle for 4.5 s, then the caller has dropped it before the service (5 s) would close it under a request', async () => {
    const server = http.createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    expect(server.keepAliveTimeout).toBe(5000);
    const agent = keptAliveAgent(8);
    try {
      const port = (server.address() as AddressInfo).port;
      await new Promise<void>((resolve, reject) =>
        http
          .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => res.resume().on('end', resolve))
          .on('error', reject),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 4300));
      expect(Object.values(agent.freeSockets).flat()).toHaveLength(0);
      const open = await new Promise<number>((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
      expect(open).toBe(0);
    } finally {
      agent.destroy();
      server.close();
    }
  });
});
