import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './markdown';

// The pages a student reads first name files by their path from the root; a rename must take the page with it.
const PAGES = ['README.md', 'ARCHITECTURE.md', 'LESSONS.md', 'docs/conventions.md', 'docs/side-by-side.md'];
const TOP = fs
  .readdirSync(repoRoot, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
  .map((entry) => entry.name);

/** `folder/file.ext` or `folder/sub/` in code spans, without placeholders or globs; `:name` and `#anchor` dropped. */
function pathsIn(markdown: string): string[] {
  const spans = [...markdown.matchAll(/`([^`\s]+)`/g)].map((match) => match[1]);
  return spans
    .map((span) => span.replace(/[:#].*$/, ''))
    .filter((span) => TOP.some((top) => span.startsWith(`${top}/`)))
    .filter((span) => !/[<>*{}$]/.test(span) && !span.includes('/results/'));
}

describe.each(PAGES)('the paths %s names', (page) => {
  it('when it names a file of the repository by its path, then the file exists', () => {
    const markdown = fs.readFileSync(path.join(repoRoot, page), 'utf8');
    const missing = [...new Set(pathsIn(markdown))].filter((file) => !fs.existsSync(path.join(repoRoot, file)));
    expect(missing).toEqual([]);
  });
});
