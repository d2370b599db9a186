import fs from 'node:fs';
import path from 'node:path';

/**
 * The lab's package boundaries, checked on the source text (`npm run lint` runs scripts/check-boundaries.ts):
 * - no import reaches into another workspace by a relative path: packages meet by their names;
 * - no import goes through a variable specifier, so every dependency can be read (and checked) in the code;
 * - a package imports another package only through its `exports`, and a library file lists what it imports by name
 *   among its package's dependencies;
 * - `@checkout-lab/stacks` (what starts stacks) is never imported by a service, the monolith, lab-kit or the
 *   dashboard's runtime, and its `/testing` entry only by tests;
 * - every `exports` entry starts nothing when imported, and no library file carries a command line behind an
 *   `import.meta` check: a process starts from a script or a bin file.
 */

export interface Violation {
  file: string;
  line: number;
  rule: string;
  message: string;
}

interface Workspace {
  dir: string;
  name: string;
  exports: Record<string, string>;
  dependencies: Set<string>;
}

const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.lab-data', 'test-artifacts', 'coverage']);
const SKIP_PATHS = ['benchmarks/results', 'docs/results'];
/** The process itself: it may start things; nothing imports it. */
const STACKS = '@checkout-lab/stacks';
/** Code that runs in a service or beside it, where starting stacks has no place. */
const NO_STACKS = [
  /^microservices\/[^/]+\/(src|bin)\//,
  /^monolith\/src\//,
  /^lab-kit\/src\//,
  /^lab-dashboard\/(server|src)\//,
];

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function workspacesOf(root: string): Workspace[] {
  const rootManifest = readJson(path.join(root, 'package.json'));
  const dirs: string[] = [];
  for (const pattern of (rootManifest.workspaces as string[] | undefined) ?? []) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      const full = path.join(root, parent);
      if (!fs.existsSync(full)) continue;
      for (const entry of fs.readdirSync(full).sort()) {
        if (fs.existsSync(path.join(full, entry, 'package.json'))) dirs.push(`${parent}/${entry}`);
      }
    } else if (fs.existsSync(path.join(root, pattern, 'package.json'))) {
      dirs.push(pattern);
    }
  }
  return dirs.map((dir) => {
    const manifest = readJson(path.join(root, dir, 'package.json'));
    const exportsField = manifest.exports;
    const exports: Record<string, string> =
      typeof exportsField === 'string'
        ? { '.': exportsField }
        : ((exportsField as Record<string, string> | undefined) ?? {});
    const dependencies = new Set<string>();
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const name of Object.keys((manifest[field] as Record<string, string> | undefined) ?? {}))
        dependencies.add(name);
    }
    return { dir, name: String(manifest.name), exports, dependencies };
  });
}

function sourceFiles(root: string, dir = ''): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (SKIP_DIRS.has(entry.name) || SKIP_PATHS.includes(rel)) continue;
      files.push(...sourceFiles(root, rel));
    } else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      files.push(rel);
    }
  }
  return files;
}

/** The text with comments blanked out (strings kept, line numbers kept), so an example in a comment is no import. */
export function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\') j++;
        if (c !== '`' && text[j] === '\n') break;
        j++;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

interface ImportSite {
  specifier: string | null;
  /** The expression of a dynamic import that is not a plain string. */
  expression?: string;
  line: number;
}

/** The code with the insides of its strings blanked (quotes kept), so a word in a message is not taken for code. */
function maskStrings(code: string): string {
  return code.replace(
    /(['"`])((?:\\.|(?!\1)[^\\\n])*)\1/g,
    (_m, quote: string, body: string) => quote + ' '.repeat(body.length) + quote,
  );
}

export function importsOf(text: string): ImportSite[] {
  const code = withoutComments(text);
  const masked = maskStrings(code);
  const lineAt = (index: number) => code.slice(0, index).split('\n').length;
  const sites: ImportSite[] = [];
  // Found on the masked text, read on the real one: same length, same offsets.
  const staticImport = /(?:^|[;\n}])\s*(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s*from\s*)?(['"])\s*\1/g;
  for (const match of masked.matchAll(staticImport)) {
    const close = match.index + match[0].length - 1;
    const open = masked.lastIndexOf(match[1], close - 1);
    sites.push({ specifier: code.slice(open + 1, close), line: lineAt(open) });
  }
  const call = /(?<![\w$.])(?:import|require|vi\.mock|vi\.doMock)\s*\(\s*([^),]*)/g;
  for (const match of masked.matchAll(call)) {
    const start = match.index + match[0].length - match[1].length;
    const argument = code.slice(start, start + match[1].length).trim();
    const literal = /^(['"])([^'"]*)\1$/.exec(argument) ?? /^`([^`$]*)`$/.exec(argument);
    const line = lineAt(match.index);
    if (literal) sites.push({ specifier: literal[2] ?? literal[1], line });
    else if (argument !== '') sites.push({ specifier: null, expression: argument, line });
  }
  return sites;
}

function isTestFile(rel: string): boolean {
  return (
    /(^|\/)(test|tests|fixtures|__tests__)\//.test(rel) ||
    /\.(test|spec)\.[cm]?[tj]sx?$/.test(rel) ||
    rel.startsWith('contract-tests/') ||
    rel === 'vitest.config.ts'
  );
}

/** A top-level statement that runs something when the file is imported (not a declaration, import or export). */
const TOP_LEVEL_EFFECT = /^(?:await\s|void\s|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\s*\()/m;
const ENTRY_GUARD = /process\.argv\[1\][\s\S]{0,300}import\.meta|import\.meta[\s\S]{0,300}process\.argv\[1\]/;

export function checkBoundaries(root: string): Violation[] {
  const workspaces = workspacesOf(root).sort((a, b) => b.dir.length - a.dir.length);
  const byName = new Map(workspaces.map((w) => [w.name, w]));
  const workspaceOf = (rel: string) => workspaces.find((w) => rel === w.dir || rel.startsWith(`${w.dir}/`)) ?? null;
  const label = (w: Workspace | null) => (w ? `${w.dir} (${w.name})` : 'the repository root');
  const violations: Violation[] = [];
  const add = (file: string, line: number, rule: string, message: string) =>
    violations.push({ file, line, rule, message });

  const exportTargets = new Map<string, string>();
  for (const w of workspaces) {
    for (const [key, target] of Object.entries(w.exports)) {
      if (typeof target !== 'string') continue;
      exportTargets.set(path.posix.normalize(`${w.dir}/${target}`), `${w.name} exports "${key}"`);
    }
    if (w.dependencies.has(STACKS) && NO_STACKS.some((rule) => rule.test(`${w.dir}/src/`))) {
      add(`${w.dir}/package.json`, 1, 'no-stacks-in-services', `${w.name} must not depend on ${STACKS}`);
    }
  }

  const testingFiles = new Set<string>();
  for (const [file, exported] of exportTargets) {
    if (!/testing/.test(exported)) continue;
    testingFiles.add(file);
    for (const site of importsOf(fs.readFileSync(path.join(root, file), 'utf8'))) {
      if (site.specifier?.startsWith('.'))
        testingFiles.add(`${path.posix.normalize(path.posix.join(path.posix.dirname(file), site.specifier))}.ts`);
    }
  }

  for (const rel of sourceFiles(root)) {
    const text = fs.readFileSync(path.join(root, rel), 'utf8');
    const own = workspaceOf(rel);
    // Tests, and what a package's testing entry gives them.
    const test = isTestFile(rel) || testingFiles.has(rel);
    for (const site of importsOf(text)) {
      if (site.specifier === null) {
        add(
          rel,
          site.line,
          'no-variable-specifier',
          `import through a variable specifier (${site.expression}): import the package by its name`,
        );
        continue;
      }
      const specifier = site.specifier;
      if (specifier.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), specifier));
        const theirs = workspaceOf(target);
        if (target.startsWith('..')) {
          add(rel, site.line, 'no-relative-across-workspaces', `"${specifier}" leaves the repository`);
        } else if (theirs !== own) {
          const how = theirs ? `import ${theirs.name} by its name` : 'move it into a package';
          add(
            rel,
            site.line,
            'no-relative-across-workspaces',
            `"${specifier}" reaches from ${label(own)} into ${label(theirs)}: ${how}`,
          );
        }
        continue;
      }
      const scoped = /^(@checkout-lab\/[^/]+)(\/.*)?$/.exec(specifier);
      if (!scoped) continue;
      const [, name, subpath] = scoped;
      const theirs = byName.get(name);
      if (!theirs) {
        add(rel, site.line, 'known-package', `${name} is no workspace of the lab`);
        continue;
      }
      const key = subpath ? `.${subpath}` : '.';
      if (!(key in theirs.exports)) {
        add(
          rel,
          site.line,
          'through-exports',
          `"${specifier}" is not in ${name}'s exports (${Object.keys(theirs.exports).join(', ')})`,
        );
      }
      if (name === STACKS && NO_STACKS.some((rule) => rule.test(rel))) {
        add(
          rel,
          site.line,
          'no-stacks-in-services',
          `${rel} runs in a service or beside it: it must not import ${STACKS}`,
        );
      }
      if (!test && /(^|\/)testing$/.test(subpath ?? '')) {
        add(rel, site.line, 'testing-only-in-tests', `"${specifier}" is for tests; ${rel} is not a test`);
      }
      if (own && !test && theirs !== own && !own.dependencies.has(name)) {
        add(rel, site.line, 'declared-dependency', `${name} is imported but not among ${own.name}'s dependencies`);
      }
    }
    if (!test && ENTRY_GUARD.test(withoutComments(text))) {
      add(rel, 1, 'no-cli-in-library', 'a command line behind an import.meta check: put it in a bin or script file');
    }
    const exported = exportTargets.get(rel);
    if (exported) {
      const code = withoutComments(text).replace(/`[^`]*`/g, '``');
      const effect = TOP_LEVEL_EFFECT.exec(code);
      if (effect) {
        const line = code.slice(0, effect.index).split('\n').length;
        add(
          rel,
          line,
          'side-effect-free-exports',
          `${exported} a file that runs code when imported: ${effect[0].trim()}...`,
        );
      }
      for (const site of importsOf(text)) {
        const service = /^(microservices\/[^/]+|monolith)\//.test(rel);
        if (service && site.specifier && /(^|\/)(testing|test-stack)$/.test(site.specifier)) {
          add(
            rel,
            site.line,
            'testing-only-in-tests',
            `${exported} a file that re-exports test helpers ("${site.specifier}")`,
          );
        }
      }
    }
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
