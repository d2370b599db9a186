import fs from 'node:fs';
import path from 'node:path';
import { LESSONS } from '@checkout-lab/lessons';
import { describe, expect, it } from 'vitest';
import { lessons, repoRoot } from './markdown';

// LESSONS.md is the source of each lesson's prose, its title and its anchor; a lesson file (lessons/src/lessons/)
// adds the checks, hints and solutions, and names its heading word for word. This fails when the two drift apart.

describe('the runnable lessons and LESSONS.md', () => {
  const headings = lessons();
  const anchorOf = new Map(headings.map((heading) => [heading.text, heading.anchor]));

  it('when a lesson file names its title, then LESSONS.md has that heading, with the anchor the file gives', () => {
    const wrong = LESSONS.filter((lesson) => anchorOf.get(lesson.title) !== lesson.anchor).map(
      (lesson) =>
        `${lesson.id}: "${lesson.title}" #${lesson.anchor} (LESSONS.md: ${anchorOf.get(lesson.title) ?? 'no such heading'})`,
    );
    expect(wrong).toEqual([]);
  });

  it('when LESSONS.md has a lesson, then a lesson file makes it runnable', () => {
    const runnable = new Set(LESSONS.map((lesson) => lesson.title));
    expect(headings.filter((heading) => !runnable.has(heading.text)).map((heading) => heading.text)).toEqual([]);
  });

  it('when lessons are listed, then each id is its anchor, once, in the order of LESSONS.md', () => {
    expect(LESSONS.map((lesson) => lesson.id)).toEqual(LESSONS.map((lesson) => lesson.anchor));
    expect(new Set(LESSONS.map((lesson) => lesson.id)).size).toBe(LESSONS.length);
    const position = (lesson: (typeof LESSONS)[number]) => headings.findIndex((h) => h.text === lesson.title);
    const positions = LESSONS.map(position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('when a lesson has steps, then each says what to do and where, and has at least one hint', () => {
    const thin = LESSONS.flatMap((lesson) =>
      lesson.steps
        .map((step, index) => ({ step, where: `${lesson.id} step ${index + 1}` }))
        .filter(({ step }) => !step.instructions || step.hints.length === 0 || (!step.uses.view && !step.uses.command))
        .map(({ where }) => where),
    );
    expect(LESSONS.every((lesson) => lesson.steps.length > 0 && lesson.goal.length > 0)).toBe(true);
    expect(thin).toEqual([]);
  });

  it('when a student opens LESSONS.md, then its introduction points at npm run lesson', () => {
    const intro = fs.readFileSync(path.join(repoRoot, 'LESSONS.md'), 'utf8').split('\n# ')[0];
    expect(intro).toContain('npm run lesson');
  });
});
