import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lessons, repoRoot, sourceFiles } from './markdown';

// A marker is one line comment: `// LESSON: <a heading of LESSONS.md> (LESSONS.md#<its anchor>)`, optionally followed
// by ". " or ": " and a sentence of why.
const MARKER = /^\s*\/\/ LESSON: (.+?) \(LESSONS\.md#([a-z0-9-]+)\)(?:[.:](?: .*)?)?$/;

interface Found {
  where: string;
  line: string;
}

function linesWith(needle: RegExp): Found[] {
  const found: Found[] = [];
  // This folder holds the checks themselves, whose strings describe markers without being any.
  for (const file of sourceFiles().filter((name) => !name.startsWith('docs/test/'))) {
    const lines = fs.readFileSync(path.join(repoRoot, file), 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (needle.test(line)) found.push({ where: `${file}:${index + 1}`, line: line.trim() });
    });
  }
  return found;
}

/** The lesson table of docs/side-by-side.md: each lesson with what its monolith and microservices cells say. */
function lessonRows(): { lesson: string; side: string; cell: string }[] {
  const page = fs.readFileSync(path.join(repoRoot, 'docs/side-by-side.md'), 'utf8');
  return [...page.matchAll(/^\| \[(.+?)\]\(\.\.\/LESSONS\.md#[\w-]+\) \| (.*?) \| (.*?) \|/gm)].flatMap((row) => [
    { lesson: row[1], side: 'monolith', cell: row[2] },
    { lesson: row[1], side: 'microservices', cell: row[3] },
  ]);
}

/** The files a cell names as `path/to/file.ts:name`. */
function filesIn(cell: string): string[] {
  return [...cell.matchAll(/`([\w@./-]+\.tsx?):[A-Za-z_$][\w$]*`/g)].map((match) => match[1]);
}

describe('the LESSON markers in the code', () => {
  const known = lessons();
  const anchorOf = new Map(known.map((lesson) => [lesson.text, lesson.anchor]));
  const markers = linesWith(/LESSON:/);

  it('when the code is searched for LESSON:, then it finds markers', () => {
    expect(markers.length).toBeGreaterThan(known.length);
  });

  it('when a line carries LESSON:, then it is a line comment naming a lesson heading and its anchor', () => {
    const wrong = markers.filter(({ line }) => {
      const match = MARKER.exec(line);
      return !match || anchorOf.get(match[1]) !== match[2];
    });
    expect(
      wrong,
      `expected "// LESSON: <heading> (LESSONS.md#<anchor>)" with one of: ${[...anchorOf.keys()].join(' | ')}`,
    ).toEqual([]);
  });

  it('when LESSONS.md has a lesson, then at least one marker in the code points at it', () => {
    const marked = new Set(markers.map(({ line }) => MARKER.exec(line)?.[1]));
    expect(known.map((lesson) => lesson.text).filter((name) => !marked.has(name))).toEqual([]);
  });

  it('when docs/side-by-side.md pairs a lesson, then each side names its code, or says in parentheses it has none', () => {
    const rows = lessonRows();
    expect(rows.length).toBe(known.length * 2);
    const vague = rows.filter(({ cell }) => !cell.startsWith('(') && filesIn(cell).length === 0);
    expect(vague.map(({ lesson, side }) => `${lesson} (${side})`)).toEqual([]);
  });

  it('when a lesson has code on a side, then one of the files named for that side carries its marker', () => {
    const unmarked = lessonRows()
      .filter(({ cell }) => filesIn(cell).length > 0)
      .filter(({ lesson, cell }) =>
        filesIn(cell).every((file) => {
          const full = path.join(repoRoot, file);
          if (!fs.existsSync(full)) return true;
          return !fs
            .readFileSync(full, 'utf8')
            .split('\n')
            .some((line) => MARKER.exec(line)?.[1] === lesson);
        }),
      );
    expect(
      unmarked.map(({ lesson, side, cell }) => `${lesson} (${side}): none of ${filesIn(cell).join(', ')}`),
    ).toEqual([]);
  });

  it('when a comment points into LESSONS.md by anchor, then the anchor exists', () => {
    const anchors = new Set(known.map((lesson) => lesson.anchor));
    const dangling = linesWith(/LESSONS\.md#/).flatMap(({ where, line }) =>
      [...line.matchAll(/LESSONS\.md#([\w-]+)/g)]
        .filter((match) => !anchors.has(match[1]))
        .map((match) => `${where} #${match[1]}`),
    );
    expect(dangling).toEqual([]);
  });
});
