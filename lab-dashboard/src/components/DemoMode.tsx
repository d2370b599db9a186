import { useState } from 'react';
import { labApi } from '../lib/api';
import { BLACK_FRIDAY_DEMO } from '../lib/presets';
import { useLabSession } from '../lib/session';
import { LoginHint } from './AdminLogin';
import { startRun } from './LoadRuns';

/** What a step of the demo does on the lab when the instructor advances to it: null when it did it, else why not. */
type Action = (lab: { openTab: (id: string) => void }) => Promise<string | null>;

interface DemoStep {
  title: string;
  /** What to say while it happens, on a projector: a few short lines. */
  talk: string[];
  action: Action;
}

const refused = (result: { ok: boolean; error: { message: string } | null }) =>
  result.ok ? null : (result.error?.message ?? 'the lab API refused');

/** A step that only shows a view: the tab it opens. */
const opens =
  (id: string): Action =>
  async ({ openTab }) => {
    openTab(id);
    return null;
  };

/** The Black Friday demo as a talk: each step acts on the lab (reset, knobs, the rush, the views) when it opens. */
export const DEMO_STEPS: DemoStep[] = [
  {
    title: 'Two shops, the same catalogue',
    talk: [
      'Both stacks are reset: no orders, the seed catalogue, the doorbuster in stock.',
      'Left the monolith, one process and one transaction; right the microservices, one database each.',
    ],
    action: async () => refused(await labApi.post('/lab/reset')),
  },
  {
    title: 'A slow world outside',
    talk: [
      `The card provider now takes ${BLACK_FRIDAY_DEMO.payment_delay_ms} ms and the email ${BLACK_FRIDAY_DEMO.email_delay_ms} ms, on both stacks.`,
      'Nothing in our code changed: only the world it calls.',
    ],
    action: async () =>
      refused(
        await labApi.put('/lab/config', {
          payment_delay_ms: BLACK_FRIDAY_DEMO.payment_delay_ms,
          email_delay_ms: BLACK_FRIDAY_DEMO.email_delay_ms,
        }),
      ),
  },
  {
    title: 'The rush',
    talk: [
      `${BLACK_FRIDAY_DEMO.buyers} buyers want the doorbuster at the same moment; there are ${BLACK_FRIDAY_DEMO.stock}.`,
      'First the monolith, then the microservices, with the same buyers.',
    ],
    action: async ({ openTab }) => {
      const { error } = await startRun(BLACK_FRIDAY_DEMO);
      if (!error) openTab('runs');
      return error;
    },
  },
  {
    title: 'The queue behind the lock',
    talk: [
      "The monolith's buyers wait for one stock row: each holds it through the payment and the email.",
      'Count the lock waits: one buyer works, the others wait their turn.',
    ],
    action: opens('internals'),
  },
  {
    title: 'The staircase and the flat line',
    talk: [
      "The monolith's answers climb a step per buyer; the microservices answer at once and finish later.",
      'Same stock sold, none twice: what changed is who waits, and for what.',
    ],
    action: opens('runs'),
  },
];

/**
 * The instructor mode: the demo one step at a time in large type, above whichever tab the step opened. Advancing does
 * the next step's action on the lab; a refusal (no login, a run already going) is shown and the step can be retried.
 */
export function DemoMode({ onOpenTab, onClose }: { onOpenTab: (id: string) => void; onClose: () => void }) {
  const session = useLabSession();
  // -1: not started; the demo does nothing on the lab until the instructor presses Start.
  const [at, setAt] = useState(-1);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const step = at >= 0 ? DEMO_STEPS[at] : null;

  const go = async (index: number) => {
    setBusy(true);
    setError(null);
    const why = await DEMO_STEPS[index].action({ openTab: onOpenTab });
    setBusy(false);
    if (why) setError(why);
    else setAt(index);
  };
  const next = at + 1;

  return (
    <section className="demo-mode" data-testid="demo-mode" aria-label="Instructor mode">
      <p className="small-text">
        Black Friday demo · {step ? `step ${at + 1} of ${DEMO_STEPS.length}` : `${DEMO_STEPS.length} steps`}
      </p>
      <h2 data-testid="demo-title">{step ? step.title : 'Ready when you are'}</h2>
      <ul data-testid="demo-talk">
        {(step
          ? step.talk
          : ['Each step acts on the lab when you advance to it: reset, knobs, the rush, the views.']
        ).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert" data-testid="demo-error">
          {error}
        </p>
      )}
      <div className="row">
        {next < DEMO_STEPS.length && (
          <button
            type="button"
            disabled={busy || !session.logged_in}
            onClick={() => void go(next)}
            data-testid="demo-next"
          >
            {at < 0 ? 'Start' : `Next: ${DEMO_STEPS[next].title}`}
          </button>
        )}
        <button type="button" className="link" onClick={onClose} data-testid="demo-close">
          Leave instructor mode
        </button>
      </div>
      {!session.logged_in && <LoginHint what="run the demo" />}
    </section>
  );
}
