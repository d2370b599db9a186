import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './markdown';

// Every service and the monolith describe themselves under the same headings, so two READMEs read side by side.
const HEADINGS = ['Owns', 'Publishes', 'Consumes', 'Calls', 'Serves', 'Environment'];

const packages = [
  'monolith',
  'payment-provider',
  ...fs
    .readdirSync(path.join(repoRoot, 'microservices'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(repoRoot, 'microservices', entry.name, 'src')))
    .map((entry) => `microservices/${entry.name}`)
    .filter((name) => name !== 'microservices/shared'),
];

function sourcesOf(folder: string): string {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) texts.push(fs.readFileSync(full, 'utf8'));
    }
  };
  walk(path.join(repoRoot, folder, 'src'));
  return texts.join('\n');
}

/** The README's text under one second-level heading. */
function section(readme: string, heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) return '';
  const next = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, next < 0 ? undefined : next);
}

describe.each(packages)('the README of %s', (pkg) => {
  const readmePath = path.join(repoRoot, pkg, 'README.md');
  const readme = fs.existsSync(readmePath) ? fs.readFileSync(readmePath, 'utf8') : '';
  const source = sourcesOf(pkg);

  it('when it is read, then it has the same headings as every other service, in the same order', () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((match) => match[1].trim());
    expect(headings.filter((heading) => HEADINGS.includes(heading))).toEqual(HEADINGS);
  });

  it('when its config.ts reads a variable, then its Environment section names it', () => {
    const configs = ['src/config.ts']
      .map((file) => path.join(repoRoot, pkg, file))
      .filter((file) => fs.existsSync(file))
      .map((file) => fs.readFileSync(file, 'utf8'));
    const keys = new Set(configs.flatMap((text) => [...text.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1])));
    const environment = section(readme, 'Environment');
    expect([...keys].filter((key) => !environment.includes(key))).toEqual([]);
  });

  it('when its migrations create a table, then its Owns section names it', () => {
    const dropped = new Set([...source.matchAll(/DROP TABLE (?:IF EXISTS )?(\w+)/g)].map((m) => m[1]));
    const tables = new Set(
      [...source.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/g)].map((m) => m[1]).filter((t) => !dropped.has(t)),
    );
    if (source.includes('messagingMigrations')) for (const table of ['outbox', 'processed_events']) tables.add(table);
    const owns = section(readme, 'Owns');
    expect([...tables].filter((table) => !owns.includes(`\`${table}\``))).toEqual([]);
  });

  it('when it consumes a routing key, then its Consumes section names it', () => {
    // messaging.consume(routingKey, handler): one routing key, the last part of the queue's name.
    const keys = new Set([...source.matchAll(/\.consume\(\s*'([^']+)'/g)].map((m) => m[1]));
    const consumes = section(readme, 'Consumes');
    expect([...keys].filter((key) => !consumes.includes(`\`${key}\``))).toEqual([]);
  });
});
