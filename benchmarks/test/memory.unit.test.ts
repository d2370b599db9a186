import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { memoryProbe, pidsListeningOn, rssBytes } from '../src/memory';

describe('memory of a stack', () => {
  it('when a server of this process listens on a port, then the port leads to this pid and its RSS is read', async () => {
    const server = http.createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect(pidsListeningOn([port]).get(port)).toBe(process.pid);
      expect(rssBytes(process.pid)).toBeGreaterThan(1024 * 1024);
      const probe = await memoryProbe('monolith', `http://127.0.0.1:${port}`);
      probe.start(20);
      await new Promise((r) => setTimeout(r, 100));
      const result = probe.finish();
      expect(result.source).toBe('proc');
      expect(result.processes.monolith.pid).toBe(process.pid);
      expect(result.samples).toBeGreaterThan(1);
      expect(result.peak_rss_bytes).toBeGreaterThanOrEqual(result.idle_rss_bytes as number);
    } finally {
      server.close();
    }
  });

  it('when nothing listens at the URL, or it is not on this machine, then the memory is unknown', async () => {
    const closed = await memoryProbe('micro', 'http://127.0.0.1:9');
    expect(closed.finish()).toMatchObject({ source: 'unknown', idle_rss_bytes: null, peak_rss_bytes: null });
    const remote = await memoryProbe('monolith', 'http://203.0.113.7:8000');
    expect(remote.finish().source).toBe('unknown');
  });
});
