/**
 * Which steps of each lesson passed their check, kept in this browser (localStorage), as `npm run lesson` keeps its own
 * in .lab-data/lesson-progress.json: a lesson is a student's, and a lab may be shared by a room.
 */
export const PROGRESS_KEY = 'checkout-lab.lesson-progress';

/** Per lesson id, the step numbers (from 1) whose check passed. */
export type LessonProgress = Record<string, number[]>;

export function loadProgress(storage: Storage = localStorage): LessonProgress {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(PROGRESS_KEY) ?? '{}');
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const progress: LessonProgress = {};
    for (const [id, steps] of Object.entries(parsed)) {
      if (Array.isArray(steps)) progress[id] = steps.filter((n): n is number => Number.isInteger(n) && n > 0);
    }
    return progress;
  } catch {
    // Unreadable (edited by hand, or from another version): start again rather than break the tab.
    return {};
  }
}

/** The progress with step n of a lesson passed, saved. */
export function markPassed(
  progress: LessonProgress,
  id: string,
  n: number,
  storage: Storage = localStorage,
): LessonProgress {
  const done = new Set(progress[id] ?? []);
  done.add(n);
  const next = { ...progress, [id]: [...done].sort((a, b) => a - b) };
  storage.setItem(PROGRESS_KEY, JSON.stringify(next));
  return next;
}

/** The first step (from 1) not passed yet; past the last when every step passed. */
export function firstOpenStep(progress: LessonProgress, id: string, steps: number): number {
  const done = new Set(progress[id] ?? []);
  for (let n = 1; n <= steps; n += 1) if (!done.has(n)) return n;
  return steps + 1;
}
