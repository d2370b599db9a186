import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src');
const MODULES = path.join(SRC, 'modules');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative import of a file, resolved to a path under src/modules (or outside it). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.[^']+)'/g)].map((match) => path.resolve(path.dirname(file), match[1]));
}

describe('the monolith modules', () => {
  it('when a module (or the app around them) uses a module, then it imports only its index, never a folder inside it', () => {
    const crossings: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const inModules = !path.relative(MODULES, file).startsWith('..');
      const own = inModules ? path.relative(MODULES, file).split(path.sep)[0] : undefined;
      for (const target of relativeImports(file)) {
        const [module, ...rest] = path.relative(MODULES, target).split(path.sep);
        if (module.startsWith('..') || module === own) continue;
        if (rest.length > 0) crossings.push(`${path.relative(SRC, file)} -> ${path.relative(SRC, target)}`);
      }
    }
    expect(crossings).toEqual([]);
  });

  it('when a module has something for the others, then it has an index.ts', () => {
    for (const module of readdirSync(MODULES)) {
      expect(readdirSync(path.join(MODULES, module)), module).toContain('index.ts');
    }
  });
});
