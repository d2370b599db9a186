/** The Lessons tab's view of a lesson: what GET /api/lessons answers (the lesson files without their functions). */

export interface LessonStepView {
  instructions: string;
  /** The dashboard view the step needs ("Storefronts", "Internals", "Load runs", "Faults", "Instructor"), or null. */
  view: string | null;
  /** The command that does it from a terminal, or null. */
  command: string | null;
  /** From the gentlest nudge to the near-answer, shown one at a time. */
  hints: string[];
}

export interface LessonView {
  id: string;
  title: string;
  /** Its anchor in LESSONS.md. */
  anchor: string;
  goal: string;
  stacks: string[];
  steps: LessonStepView[];
}

/** A check's answer, and the answer of a solve (the check after it). */
export interface LessonCheck {
  pass: boolean;
  message: string;
}

/** GET /api/lessons/:id/text: the lesson's section of LESSONS.md, from its `## <title>` heading to the next one. */
export interface LessonText {
  id: string;
  title: string;
  anchor: string;
  /** Markdown, as LESSONS.md has it: Do, Watch, Why, In the code. */
  text: string;
}
