import { useState } from 'react';
import { AdminLogin } from './components/AdminLogin';
import { DeadLetters } from './components/DeadLetters';
import { DemoMode } from './components/DemoMode';
import { Faults } from './components/Faults';
import { History } from './components/History';
import { HealthBar } from './components/HealthBar';
import { Processes } from './components/Processes';
import { Instructor } from './components/Instructor';
import { Internals } from './components/Internals';
import { Lessons } from './components/Lessons';
import { LoadRuns, startRun } from './components/LoadRuns';
import { Storefront } from './components/Storefront';
import { BLACK_FRIDAY_DEMO } from './lib/presets';

const TABS = [
  { id: 'shops', label: 'Storefronts' },
  { id: 'runs', label: 'Load runs' },
  { id: 'internals', label: 'Internals' },
  { id: 'faults', label: 'Faults' },
  { id: 'history', label: 'History' },
  { id: 'instructor', label: 'Instructor' },
  { id: 'lessons', label: 'Lessons' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function App() {
  const [tab, setTab] = useState<Tab>('shops');
  const [historyVersion, setHistoryVersion] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const [demoMode, setDemoMode] = useState(false);

  const blackFriday = async () => {
    setTab('runs');
    const { error } = await startRun(BLACK_FRIDAY_DEMO);
    setNotice(error);
  };

  return (
    <div className="app">
      <header className="top">
        <h1>Checkout Lab</h1>
        <nav>
          {TABS.map((t) => (
            <button
              type="button"
              key={t.id}
              className={tab === t.id ? 'tab active' : 'tab'}
              onClick={() => setTab(t.id)}
              data-testid={`tab-${t.id}`}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <HealthBar />
        <AdminLogin />
      </header>
      {tab === 'shops' && (
        <section className="intro" data-testid="intro">
          <b>One shop, built twice.</b> Left, a monolith that makes the buyer wait for payment and email inside one
          database transaction; right, microservices that answer at once and finish the order with events. <b>1.</b>{' '}
          Press <i>Sign up</i> in both panes. <b>2.</b> Add the same product on both sides and press <i>Check out</i>:
          watch the two timers. <b>3.</b> Then open <i>Load runs</i> and press{' '}
          <button type="button" className="link" onClick={() => void blackFriday()}>
            Black Friday demo
          </button>{' '}
          to see many buyers at once.
        </section>
      )}
      {/* Above every tab: a demo step opens Load runs or Internals and stays readable over it. */}
      {demoMode && <DemoMode onOpenTab={(id) => setTab(id as Tab)} onClose={() => setDemoMode(false)} />}
      {notice && (
        <p className="error" role="alert">
          {notice}
        </p>
      )}
      <main>
        {/* Kept mounted while another tab shows: a checkout in flight keeps its timer and its confirmation. */}
        <div className="panes" hidden={tab !== 'shops'}>
          <Storefront stack="monolith" />
          <Storefront stack="micro" />
        </div>
        {tab === 'runs' && <LoadRuns onRunsChanged={() => setHistoryVersion((v) => v + 1)} />}
        {tab === 'internals' && (
          <>
            <Internals />
            <Processes />
            <DeadLetters />
          </>
        )}
        {tab === 'faults' && <Faults />}
        {tab === 'history' && <History version={historyVersion} />}
        {tab === 'instructor' && (
          <Instructor onBlackFriday={() => void blackFriday()} onInstructorMode={() => setDemoMode(true)} />
        )}
        {tab === 'lessons' && <Lessons tabs={TABS} onOpenTab={(id) => setTab(id as Tab)} />}
      </main>
    </div>
  );
}
