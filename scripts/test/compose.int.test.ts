import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_PORTS } from '@checkout-lab/kit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../lab-runner';

// No Docker engine runs here, so the compose files are checked the way a CI job can: docker-compose validates them,
// and these tests keep them in step with the code (every service has a Dockerfile, its contract port and the knobs).

const KNOBS = ['PAYMENT_DELAY_MS', 'EMAIL_DELAY_MS', 'PAYMENT_FAILURE_RATE', 'JWT_SECRET', 'LAB_ADMIN_EMAIL'];

function dockerCompose(): string {
  const found = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new Error('docker-compose is missing: install it with `apt-get install docker-compose` (CI does this).');
  }
  return found.stdout.trim();
}

interface ComposeService {
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  image?: string;
  environment?: Record<string, string | number>;
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
}

function load(file: string): Record<string, ComposeService> {
  const bin = dockerCompose();
  execFileSync(bin, ['-f', file, 'config', '-q'], { cwd: ROOT, stdio: 'pipe' });
  const resolved = execFileSync(bin, ['-f', file, 'config'], { cwd: ROOT, encoding: 'utf8' });
  return parse(resolved).services;
}

function expectBuildable(name: string, service: ComposeService) {
  expect(service.build, `${name} has a build`).toBeDefined();
  const dockerfile = path.resolve(service.build!.context, service.build!.dockerfile);
  expect(fs.existsSync(dockerfile), `${dockerfile} exists`).toBe(true);
}

describe('docker-compose.monolith.yml', () => {
  it('when validated, then the monolith has its Dockerfile, database, mail catcher, health checks and knobs', () => {
    const services = load('docker-compose.monolith.yml');
    expect(Object.keys(services).sort()).toEqual(['mailcatcher', 'monolith', 'postgres']);
    expectBuildable('monolith', services.monolith);
    expectBuildable('mailcatcher', services.mailcatcher);
    const env = services.monolith.environment!;
    expect(Number(env.MONOLITH_PORT)).toBe(DEFAULT_PORTS.MONOLITH_PORT);
    for (const knob of [...KNOBS, 'DB_POOL_SIZE']) expect(env, knob).toHaveProperty(knob);
    for (const service of Object.values(services)) expect(service.healthcheck).toBeDefined();
    expect(services.monolith.depends_on?.postgres.condition).toBe('service_healthy');
  });
});

describe('docker-compose.micro.yml', () => {
  it('when validated, then every service folder runs from its Dockerfile with its own database and the broker', () => {
    const services = load('docker-compose.micro.yml');
    const folders = fs
      .readdirSync(path.join(ROOT, 'microservices'))
      .filter((name) => name !== 'shared' && fs.existsSync(path.join(ROOT, 'microservices', name, 'package.json')));
    expect(folders.length).toBe(7);
    const portOf: Record<string, keyof typeof DEFAULT_PORTS> = {
      'api-gateway': 'GATEWAY_PORT',
      'user-service': 'USER_PORT',
      'product-service': 'PRODUCT_PORT',
      'cart-service': 'CART_PORT',
      'order-service': 'ORDER_PORT',
      'payment-service': 'PAYMENT_PORT',
      'email-service': 'EMAIL_PORT',
    };
    const databases = new Set<string>();
    for (const folder of folders) {
      const service = services[folder];
      expect(service, `${folder} is in the compose file`).toBeDefined();
      expectBuildable(folder, service);
      expect(service.build?.args?.SERVICE, `${folder} builds its own service`).toBe(folder);
      expect(service.healthcheck, `${folder} has a health check`).toBeDefined();
      const env = service.environment!;
      expect(Number(env[portOf[folder]])).toBe(DEFAULT_PORTS[portOf[folder]]);
      expect(Number(service.build?.args?.PORT)).toBe(DEFAULT_PORTS[portOf[folder]]);
      for (const knob of KNOBS) expect(env, `${folder} ${knob}`).toHaveProperty(knob);
      if (env.DATABASE_URL) {
        const host = new URL(String(env.DATABASE_URL)).hostname;
        expect(databases.has(host), `${folder} shares no database server`).toBe(false);
        databases.add(host);
        expect(service.depends_on?.[host]?.condition).toBe('service_healthy');
        expect(services[host].image).toMatch(/^postgres:/);
      }
    }
    expect(databases.size).toBe(6);
    expect(services.rabbitmq.image).toMatch(/management/);
    for (const folder of folders.filter((f) => f !== 'api-gateway')) {
      expect(services['api-gateway'].depends_on?.[folder]?.condition).toBe('service_healthy');
    }
  });
});
