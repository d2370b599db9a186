import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '@checkout-lab/stacks';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBoundaries, importsOf } from '../boundaries';

/** A small repository of workspaces, written to a temporary folder: path → content. */
function repository(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'boundaries-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

const manifest = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name, type: 'module', exports: { '.': './src/index.ts' }, ...extra });

const BASE = {
  'package.json': JSON.stringify({ name: 'lab', workspaces: ['lab-kit', 'microservices/*', 'lab-stacks'] }),
  'lab-kit/package.json': manifest('@checkout-lab/kit'),
  'lab-kit/src/index.ts': 'export const kit = 1;\n',
  'microservices/shared/package.json': manifest('@checkout-lab/shared', { dependencies: { '@checkout-lab/kit': '*' } }),
  'microservices/shared/src/index.ts': "export { kit } from '@checkout-lab/kit';\n",
  'microservices/order-service/package.json': manifest('@checkout-lab/order-service', {
    dependencies: { '@checkout-lab/shared': '*' },
  }),
  'microservices/order-service/src/index.ts':
    "import { kit } from '@checkout-lab/shared';\nexport const order = kit;\n",
  'lab-stacks/package.json': manifest('@checkout-lab/stacks', {
    exports: { '.': './src/index.ts', './testing': './src/testing.ts' },
  }),
  'lab-stacks/src/index.ts': 'export const startLab = () => 1;\n',
  'lab-stacks/src/testing.ts': 'export const startTestStack = () => 1;\n',
};

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

function check(files: Record<string, string>) {
  const root = repository({ ...BASE, ...files });
  roots.push(root);
  return checkBoundaries(root)
    .map((v) => `${v.file}:${v.line} ${v.rule}`)
    .sort();
}

describe('the package-boundary check of npm run lint', () => {
  it('when every package meets the others by name, then it finds nothing', () => {
    expect(check({})).toEqual([]);
  });

  it('when a test reaches into another workspace by a relative path, then that import is reported', () => {
    const found = check({
      'microservices/order-service/test/flow.test.ts':
        "import { startTestStack } from '../../shared/src/testing';\nimport { kit } from '../src/index';\n",
    });
    expect(found).toEqual(['microservices/order-service/test/flow.test.ts:1 no-relative-across-workspaces']);
  });

  it('when a package is imported past its exports, through a variable, or undeclared, then each is reported', () => {
    const found = check({
      'microservices/order-service/src/deep.ts': "import { x } from '@checkout-lab/shared/src/db';\n",
      'microservices/order-service/src/lazy.ts': "const name = '@checkout-lab/shared';\nawait import(name);\n",
      'microservices/order-service/src/kit.ts': "import { kit } from '@checkout-lab/kit';\n",
    });
    expect(found).toEqual([
      'microservices/order-service/src/deep.ts:1 through-exports',
      'microservices/order-service/src/kit.ts:1 declared-dependency',
      'microservices/order-service/src/lazy.ts:2 no-variable-specifier',
    ]);
  });

  it('when a service imports the stacks, or runtime code the test stacks, then it is reported', () => {
    const found = check({
      'microservices/order-service/src/start.ts': "import { startLab } from '@checkout-lab/stacks';\n",
      'lab-stacks/src/runner.ts': "import { startTestStack } from '@checkout-lab/stacks/testing';\n",
      // A test may use both.
      'microservices/order-service/test/e2e.test.ts':
        "import { startLab } from '@checkout-lab/stacks';\nimport { startTestStack } from '@checkout-lab/stacks/testing';\n",
    });
    expect(found).toEqual([
      'lab-stacks/src/runner.ts:1 testing-only-in-tests',
      'microservices/order-service/src/start.ts:1 declared-dependency',
      'microservices/order-service/src/start.ts:1 no-stacks-in-services',
    ]);
  });

  it('when an exported entry starts a process, exports test helpers, or a library hides a CLI, then it is reported', () => {
    const found = check({
      'microservices/order-service/src/index.ts':
        "import { kit } from '@checkout-lab/shared';\nrunService('order', kit);\n",
      'microservices/shared/src/index.ts': "export { kit } from '@checkout-lab/kit';\nexport * from './testing';\n",
      'microservices/shared/src/testing.ts': 'export const internalHeaders = () => ({});\n',
      'microservices/shared/src/redrive.ts':
        'export function redrive() {}\nif (process.argv[1] && import.meta.url.endsWith(process.argv[1])) redrive();\n',
    });
    expect(found).toEqual([
      'microservices/order-service/src/index.ts:2 side-effect-free-exports',
      'microservices/shared/src/index.ts:2 testing-only-in-tests',
      'microservices/shared/src/redrive.ts:1 no-cli-in-library',
    ]);
  });

  it('when an import only appears in a comment or a message, then it is no import', () => {
    const text = "// import { x } from '../../other';\nconst help = `import('name') is lazy`;\n/* require(x) */\n";
    expect(importsOf(text)).toEqual([]);
  });

  it('when the lab itself is checked, then every import goes through a package name and its exports', () => {
    expect(checkBoundaries(ROOT)).toEqual([]);
  });
});
