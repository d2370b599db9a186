import fs from 'node:fs';
import path from 'node:path';

/**
 * The learner's progress, kept between runs in one JSON file: LESSON_PROGRESS_FILE, else
 * `<LAB_DATA_DIR or .lab-data>/lesson-progress.json` beside the lab's other state. Per lesson, the steps whose check
 * passed, with when.
 */
export interface ProgressData {
  lessons: Record<string, { passed: Record<string, string> }>;
}

export function progressFile(env: NodeJS.ProcessEnv, root: string): string {
  if (env.LESSON_PROGRESS_FILE) return path.resolve(env.LESSON_PROGRESS_FILE);
  return path.join(path.resolve(root, env.LAB_DATA_DIR || '.lab-data'), 'lesson-progress.json');
}

export class Progress {
  constructor(readonly file: string) {}

  read(): ProgressData {
    try {
      const data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as ProgressData;
      return data && typeof data.lessons === 'object' ? data : { lessons: {} };
    } catch {
      return { lessons: {} };
    }
  }

  /** The step numbers (1-based) of a lesson that passed. */
  passed(lessonId: string): number[] {
    return Object.keys(this.read().lessons[lessonId]?.passed ?? {})
      .map(Number)
      .sort((a, b) => a - b);
  }

  markPassed(lessonId: string, step: number, at = new Date()): void {
    const data = this.read();
    const lesson = data.lessons[lessonId] ?? { passed: {} };
    lesson.passed[String(step)] = at.toISOString();
    data.lessons[lessonId] = lesson;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(data, null, 2)}\n`);
    fs.renameSync(temporary, this.file);
  }

  /** The first step not passed yet (1-based), or null when every one has. */
  nextStep(lessonId: string, steps: number): number | null {
    const done = new Set(this.passed(lessonId));
    for (let step = 1; step <= steps; step++) if (!done.has(step)) return step;
    return null;
  }
}
