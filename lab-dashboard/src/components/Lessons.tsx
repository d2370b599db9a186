import { useEffect, useState } from 'react';
import { labApi } from '../lib/api';
import { firstOpenStep, type LessonProgress, loadProgress, markPassed } from '../lib/lesson-progress';
import { useLabSession } from '../lib/session';
import type { LessonCheck, LessonStepView, LessonText, LessonView } from '../../shared/lessons';
import { LoginHint } from './AdminLogin';
import { Markdown } from './Markdown';
import '../lessons.css';

export interface TabLink {
  id: string;
  label: string;
}

/** The tab a step's view names first ("Instructor (the knobs), then Storefronts": Instructor), or null. */
export function tabOfView(view: string | null, tabs: readonly TabLink[]): TabLink | null {
  if (!view) return null;
  let best: { tab: TabLink; at: number } | null = null;
  for (const tab of tabs) {
    const at = view.indexOf(tab.label);
    if (at >= 0 && (!best || at < best.at)) best = { tab, at };
  }
  return best?.tab ?? null;
}

/** What the step's solve does, in words: where, the command, and the nearest hint to the answer. */
export function solutionInWords(step: LessonStepView): string {
  const parts: string[] = [];
  if (step.view) parts.push(`In the dashboard: ${step.view}.`);
  if (step.command) parts.push(`From a terminal: ${step.command}`);
  const nearest = step.hints.at(-1);
  if (nearest) parts.push(nearest);
  return parts.join(' ');
}

const RUN_LABELS = {
  check: { idle: 'Check', busy: 'Checking…' },
  solve: { idle: 'Do it for me', busy: 'Doing it…' },
} as const;

/** Check, or Do it for me: both run on the lab, so both need the login and wait for each other. */
function RunButton({
  what,
  busy,
  canRun,
  onRun,
}: {
  what: 'check' | 'solve';
  busy: 'check' | 'solve' | null;
  canRun: boolean;
  onRun: (what: 'check' | 'solve') => void;
}) {
  return (
    <button
      type="button"
      onClick={() => onRun(what)}
      disabled={!canRun || busy !== null}
      data-testid={`lesson-${what}`}
    >
      {busy === what ? RUN_LABELS[what].busy : RUN_LABELS[what].idle}
    </button>
  );
}

function Step({
  lesson,
  n,
  tabs,
  onOpenTab,
  onPassed,
  onNext,
}: {
  lesson: LessonView;
  n: number;
  tabs: readonly TabLink[];
  onOpenTab: (id: string) => void;
  onPassed: (n: number) => void;
  onNext: () => void;
}) {
  const session = useLabSession();
  const step = lesson.steps[n - 1];
  const [hints, setHints] = useState(0);
  const [solution, setSolution] = useState(false);
  const [busy, setBusy] = useState<'check' | 'solve' | null>(null);
  const [result, setResult] = useState<LessonCheck | null>(null);
  const tab = tabOfView(step.view, tabs);

  const run = async (what: 'check' | 'solve') => {
    setBusy(what);
    setResult(null);
    const answer = await labApi.post<LessonCheck>(`/lessons/${lesson.id}/steps/${n}/${what}`);
    setBusy(null);
    const checked = answer.ok
      ? answer.body
      : { pass: false, message: answer.error?.message ?? `The lab API answered ${answer.status}` };
    setResult(checked);
    if (checked.pass) onPassed(n);
  };

  return (
    <div className="card" data-testid="lesson-step">
      <h3>
        Step {n} of {lesson.steps.length}
      </h3>
      <p data-testid="lesson-instructions">{step.instructions}</p>
      {step.view && (
        <p className="small-text" data-testid="lesson-view">
          Where:{' '}
          {tab ? (
            <button type="button" className="link" onClick={() => onOpenTab(tab.id)} data-testid="lesson-open-view">
              {step.view}
            </button>
          ) : (
            step.view
          )}
        </p>
      )}
      {!session.logged_in && <LoginHint what="check a step or have it done" />}
      <div className="row">
        <RunButton what="check" busy={busy} canRun={session.logged_in} onRun={run} />
        <button
          type="button"
          onClick={() => setHints((shown) => shown + 1)}
          disabled={hints >= step.hints.length}
          data-testid="lesson-hint"
        >
          {hints >= step.hints.length ? 'No more hints' : 'A hint'}
        </button>
        <button type="button" onClick={() => setSolution(true)} disabled={solution} data-testid="lesson-show-solution">
          Show the solution
        </button>
        <RunButton what="solve" busy={busy} canRun={session.logged_in} onRun={run} />
      </div>
      {result && (
        <p className={result.pass ? 'notice' : 'error'} role="status" data-testid="lesson-result">
          <b>{result.pass ? 'Pass' : 'Not yet'}:</b> {result.message}
        </p>
      )}
      {result?.pass && n < lesson.steps.length && (
        <button type="button" onClick={onNext} data-testid="lesson-next">
          Next step
        </button>
      )}
      {hints > 0 && (
        <ol className="small-text" data-testid="lesson-hints">
          {step.hints.slice(0, hints).map((hint) => (
            <li key={hint}>{hint}</li>
          ))}
        </ol>
      )}
      {solution && (
        <p className="small-text" data-testid="lesson-solution">
          {solutionInWords(step)}
        </p>
      )}
    </div>
  );
}

/** Wide enough for the lesson's text beside the step (lessons.css puts them one above the other below this). */
const WIDE = '(min-width: 1000px)';
const isWide = () => typeof window !== 'undefined' && !!window.matchMedia?.(WIDE).matches;

/**
 * "Read the lesson": the lesson's section of LESSONS.md (Do, Watch, Why, In the code), from
 * GET /api/lessons/:id/text. Open at first on a wide screen, where it sits beside the step; folded on a narrow one.
 */
function LessonProse({ lesson }: { lesson: LessonView }) {
  const [open, setOpen] = useState(isWide);
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let mounted = true;
    void labApi.get<LessonText>(`/lessons/${lesson.id}/text`).then((result) => {
      if (!mounted) return;
      if (result.ok) setText(result.body.text);
      else setError(result.error?.message ?? `The lab API answered ${result.status}`);
    });
    return () => {
      mounted = false;
    };
  }, [lesson.id]);

  return (
    <details
      className="card lesson-prose"
      open={open}
      onToggle={(event) => setOpen(event.currentTarget.open)}
      data-testid="lesson-prose"
    >
      <summary>
        <b>Read the lesson</b> <span className="small-text muted">LESSONS.md#{lesson.anchor}</span>
      </summary>
      {error && (
        <p className="error small-text" role="alert">
          {error}
        </p>
      )}
      {!error && text === null && <p className="small-text">Loading the lesson…</p>}
      {text !== null && (
        <div data-testid="lesson-text">
          <Markdown text={text} headingOffset={1} />
        </div>
      )}
    </details>
  );
}

/**
 * The guided lessons of LESSONS.md in the page: each step's instructions and the view it needs, a Check that runs the
 * step's check on this lab (GET /api/lessons, POST /api/lessons/:id/steps/:n/check), hints one at a time, the solution
 * in words, and "do it for me" (the step's solve, then its check), with the lesson's own text beside the step
 * (GET /api/lessons/:id/text). Progress is this browser's.
 */
export function Lessons({ tabs, onOpenTab }: { tabs: readonly TabLink[]; onOpenTab: (id: string) => void }) {
  const [lessons, setLessons] = useState<LessonView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<LessonProgress>(() => loadProgress());
  const [chosen, setChosen] = useState<{ id: string; n: number } | null>(null);

  useEffect(() => {
    let mounted = true;
    void labApi.get<LessonView[]>('/lessons').then((result) => {
      if (!mounted) return;
      if (result.ok) setLessons(result.body);
      else setError(result.error?.message ?? 'The lab API did not give the lessons');
    });
    return () => {
      mounted = false;
    };
  }, []);

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!lessons) return <p className="small-text">Loading the lessons…</p>;

  const lesson = lessons.find((candidate) => candidate.id === chosen?.id) ?? null;
  const done = (id: string) => (progress[id] ?? []).length;
  const open = (id: string) => {
    const found = lessons.find((candidate) => candidate.id === id);
    if (found) setChosen({ id, n: Math.min(firstOpenStep(progress, id, found.steps.length), found.steps.length) });
  };

  return (
    <div className="lessons-view" data-testid="lessons-view">
      <div className="card">
        <h3>Lessons</h3>
        <ul className="lesson-list">
          {lessons.map((candidate) => (
            <li key={candidate.id} data-testid={`lesson-${candidate.id}`}>
              <button type="button" className="link" onClick={() => open(candidate.id)}>
                {candidate.title}
              </button>{' '}
              <span className="small-text" data-testid="lesson-progress">
                {done(candidate.id)}/{candidate.steps.length} steps
                {done(candidate.id) === candidate.steps.length ? ' ✓' : ''}
              </span>
            </li>
          ))}
        </ul>
      </div>
      {lesson && chosen && (
        <div>
          <h2 data-testid="lesson-title">{lesson.title}</h2>
          <p>{lesson.goal}</p>
          <p className="small-text">
            Why it happens: <code>LESSONS.md#{lesson.anchor}</code>, in <i>Read the lesson</i>. Needs:{' '}
            {lesson.stacks.join(' and ')}.
          </p>
          <div className="lesson-layout">
            <div>
              <nav className="row">
                {lesson.steps.map((_, index) => {
                  const n = index + 1;
                  const passed = (progress[lesson.id] ?? []).includes(n);
                  return (
                    <button
                      type="button"
                      key={n}
                      className={n === chosen.n ? 'tab active' : 'tab'}
                      onClick={() => setChosen({ id: lesson.id, n })}
                      data-testid={`lesson-step-${n}`}
                    >
                      {n}
                      {passed ? ' ✓' : ''}
                    </button>
                  );
                })}
              </nav>
              <Step
                key={`${lesson.id}:${chosen.n}`}
                lesson={lesson}
                n={chosen.n}
                tabs={tabs}
                onOpenTab={onOpenTab}
                onPassed={(n) => setProgress((now) => markPassed(now, lesson.id, n))}
                onNext={() => setChosen({ id: lesson.id, n: chosen.n + 1 })}
              />
            </div>
            <LessonProse key={lesson.id} lesson={lesson} />
          </div>
        </div>
      )}
    </div>
  );
}
