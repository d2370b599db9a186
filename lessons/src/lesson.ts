import type { LabHandle } from './lab-handle';

/**
 * A lesson as data: the prose lives in LESSONS.md (the source of every title, and the anchor a lesson file names);
 * a lesson file adds what a person cannot read off a page: a check per step that reads the running lab, the hints,
 * and a solve that does the step. lessons/test/lessons-md.unit.test.ts fails when the two disagree.
 */

/** What a check saw: a pass, or exactly what it saw instead and where to look. */
export type CheckResult = { pass: true; message: string } | { pass: false; message: string };

export const pass = (message: string): CheckResult => ({ pass: true, message });
export const fail = (message: string): CheckResult => ({ pass: false, message });

export type Stack = 'monolith' | 'microservices';

export interface Step {
  /** What to do, in a sentence or three. */
  instructions: string;
  /** Where to do it: a dashboard view ("Storefronts", "Internals", "Load runs", "Faults") or a command. */
  uses: { view?: string; command?: string };
  /**
   * Reads the live lab and says whether the step is done. It holds on a slow machine: it compares orders, ratios and
   * presence, never a number of milliseconds.
   */
  check(lab: LabHandle): Promise<CheckResult>;
  /** From the gentlest nudge to the near-answer. */
  hints: string[];
  /** Does the step on the lab, as the student would. */
  solve(lab: LabHandle): Promise<void>;
}

export interface Lesson {
  /** Used on the command line: `npm run lesson -- <id>`. */
  id: string;
  /** The lesson's heading in LESSONS.md, word for word. */
  title: string;
  /** Its anchor there: LESSONS.md#<anchor>. */
  anchor: string;
  /** The stacks it needs running. */
  stacks: Stack[];
  goal: string;
  steps: Step[];
}
