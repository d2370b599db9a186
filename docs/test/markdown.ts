import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, whatever folder the test runs from. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The anchor GitHub gives a heading: lower case, punctuation dropped, spaces turned into hyphens; a repeated heading
 * gets -1, -2... (the same rule as github-slugger).
 */
export function githubSlugs(headings: string[]): string[] {
  const seen = new Map<string, number>();
  return headings.map((heading) => {
    const base = heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}-${count}`;
  });
}

export interface Heading {
  level: number;
  text: string;
  anchor: string;
}

/** Every ATX heading of a Markdown text (outside fenced code), with its GitHub anchor. */
export function headingsOf(markdown: string): Heading[] {
  const found: { level: number; text: string }[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const match = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (match) found.push({ level: match[1].length, text: match[2] });
  }
  const anchors = githubSlugs(found.map((heading) => heading.text));
  return found.map((heading, index) => ({ ...heading, anchor: anchors[index] }));
}

/** The lessons of LESSONS.md: its second-level headings, each one lesson. */
export function lessons(): Heading[] {
  const markdown = fs.readFileSync(path.join(repoRoot, 'LESSONS.md'), 'utf8');
  return headingsOf(markdown).filter((heading) => heading.level === 2);
}

const SKIPPED = new Set(['node_modules', 'dist', '.git', '.lab-data', 'test-artifacts', 'results']);

/** The lab's TypeScript sources (tracked or not), relative to the root, without dependencies and generated output. */
export function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(path.join(repoRoot, folder), { withFileTypes: true })) {
      if (entry.name.startsWith('.') || SKIPPED.has(entry.name)) continue;
      const relative = folder ? `${folder}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(relative);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(relative);
    }
  };
  walk('');
  return files.sort();
}
