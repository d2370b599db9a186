import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lessons, repoRoot, sourceFiles } from './markdown';

const page = fs.readFileSync(path.join(repoRoot, 'docs/side-by-side.md'), 'utf8');

/** Every `path/to/file.ts:name` the page names, in code spans. */
const references = [...page.matchAll(/`([\w@./-]+\.tsx?):([A-Za-z_$][\w$]*)`/g)].map((match) => ({
  file: match[1],
  name: match[2],
}));

/** Whether a source text declares a name: a function, const, class, interface, type or enum, or an object's method. */
function declares(source: string, name: string): boolean {
  const id = name.replace(/\$/g, '\\$');
  return [
    new RegExp(`\\b(?:function\\*?|const|let|var|class|interface|type|enum)\\s+${id}\\b`),
    new RegExp(`^\\s*(?:(?:public|private|protected|static|readonly)\\s+)*(?:async\\s+)?\\*?${id}\\s*[(<]`, 'm'),
    new RegExp(`^\\s*${id}\\s*:\\s*(?:async\\s*)?(?:\\(|function\\b)`, 'm'),
  ].some((pattern) => pattern.test(source));
}

describe('docs/side-by-side.md', () => {
  it('when the page is read, then it names code on both sides', () => {
    expect(references.length).toBeGreaterThan(40);
  });

  it('when it names path:function, then the file exists and declares that name', () => {
    const wrong = references.filter(({ file, name }) => {
      const full = path.join(repoRoot, file);
      return !fs.existsSync(full) || !declares(fs.readFileSync(full, 'utf8'), name);
    });
    expect(wrong.map(({ file, name }) => `${file}:${name}`)).toEqual([]);
  });

  it("when the monolith's checkout has a numbered step, then the page has a row for it", () => {
    const monolith = sourceFiles()
      .filter((file) => file.startsWith('monolith/src/'))
      .map((file) => fs.readFileSync(path.join(repoRoot, file), 'utf8'))
      .join('\n');
    const steps = [...new Set([...monolith.matchAll(/'(\d{1,2}_[a-z_]+)'/g)].map((match) => match[1]))];
    expect(steps).toHaveLength(11);
    const rows = new Set([...page.matchAll(/^\| `(\d{1,2}_[a-z_]+)` \|/gm)].map((match) => match[1]));
    expect(steps.filter((step) => !rows.has(step))).toEqual([]);
  });

  it('when LESSONS.md has a lesson, then the page has a row for it, linked by its anchor', () => {
    const missing = lessons().filter(
      (lesson) => !page.includes(`| [${lesson.text}](../LESSONS.md#${lesson.anchor}) |`),
    );
    expect(missing.map((lesson) => lesson.text)).toEqual([]);
  });

  it('when it links a file of the repository, then the file exists', () => {
    const links = [...page.matchAll(/\]\((?!https?:)([^)#\s]+)(?:#[^)]*)?\)/g)].map((match) => match[1]);
    const docs = path.join(repoRoot, 'docs');
    expect(links.filter((link) => !fs.existsSync(path.resolve(docs, link)))).toEqual([]);
  });
});
