import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBoundaries } from './boundaries';

/** `npm run lint`'s check of the package boundaries (scripts/boundaries.ts): one line per bypass, exit 1 if any. */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const violations = checkBoundaries(root);
for (const v of violations) console.error(`${v.file}:${v.line}  ${v.rule}  ${v.message}`);
if (violations.length > 0) {
  console.error(`\n${violations.length} import(s) cross a package boundary (docs/conventions.md, "Workspaces").`);
  process.exit(1);
}
console.log('package boundaries: every import goes through a package name and its exports');
