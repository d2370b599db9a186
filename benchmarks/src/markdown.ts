import { describeInForce } from './in-force';
import { FAILING_COUNTS, VERDICT_COUNTS } from '@checkout-lab/stacks/verdict';
import type {
  ChaosSchedule,
  CpuFigure,
  CpuResult,
  CpuWindow,
  GoalResult,
  LoadResult,
  LockWaitResult,
  MemoryResult,
  Report,
  TargetResult,
} from './report';
import { TARGET_NAMES } from './options';
import type { Summary } from './stats';

const NAMES = { monolith: 'monolith', 'monolith-fixed': 'monolith, every fix on', micro: 'microservices' } as const;

function fmt(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toFixed(digits)).toString();
}

function dist(s: Summary | undefined): string {
  if (!s || s.count === 0) return '–';
  return `${fmt(s.p50)} / ${fmt(s.p90)} / ${fmt(s.p99)} / ${fmt(s.max)}`;
}

function mb(bytes: number | null): string {
  return bytes === null ? '–' : fmt(bytes / (1024 * 1024));
}

function memoryCell(m: MemoryResult | undefined): string {
  if (!m || m.source === 'unknown') return 'unknown';
  return `${mb(m.idle_rss_bytes)} / ${mb(m.peak_rss_bytes)} (${m.process_count} process${m.process_count === 1 ? '' : 'es'})`;
}

/** A CPU figure, or "unknown" when it could not be read (never a dash: a dash would read as zero or not measured). */
function cpuValue(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? 'unknown' : fmt(v, digits);
}

function cpuShare(v: number | null | undefined): string {
  return v === null || v === undefined ? 'unknown' : `${fmt(v * 100)} %`;
}

/** ms per accepted checkout: "unknown" when the CPU is, "–" when no checkout was accepted. */
function cpuMs(f: Pick<CpuFigure, 'cpu_s' | 'ms_per_accepted_checkout'> | undefined): string {
  if (!f || f.cpu_s === null) return 'unknown';
  return f.ms_per_accepted_checkout === null ? '–' : fmt(f.ms_per_accepted_checkout, 2);
}

function machineCell(w: CpuWindow | null | undefined): string {
  if (!w) return 'unknown';
  const m = w.machine;
  return `${cpuShare(m.busy_share)} of ${m.cores ?? '?'} cores (${cpuValue(m.busy_cpu_s, 2)} CPU s, ${cpuValue(m.other_cpu_s, 2)} of them outside the listed processes)`;
}

/** The per-process CPU table of one stack: the measured window, and the window through settling beside it. */
function cpuRows(stack: string, c: CpuResult, settling: boolean): string[] {
  const w = c.window as CpuWindow;
  const settled = c.with_settle;
  const settledCell = (f: CpuFigure | undefined) => (settling ? ` ${settled ? cpuMs(f) : '–'} |` : '');
  const row = (name: string, role: string, pid: string, f: CpuFigure, settledF: CpuFigure | undefined) =>
    `| ${stack} | ${name} | ${role} | ${pid} | ${cpuValue(f.cpu_s, 2)} | ${cpuShare(f.core_share)} | ${cpuMs(f)} |${settledCell(settledF)}`;
  const lines = Object.entries(w.processes).map(([name, p]) =>
    row(name, p.role, p.pid === null ? '–' : String(p.pid), p, settled?.processes[name]),
  );
  lines.push(
    row('**the stack together**', 'stack', '', w.stack, settled?.stack),
    row('**everything listed**', '', '', w.all_listed, settled?.all_listed),
    `| ${stack} | other processes and the kernel | | | ${cpuValue(w.machine.other_cpu_s, 2)} | | |${settling ? ' |' : ''}`,
    `| ${stack} | **the machine**: ${cpuShare(w.machine.busy_share)} of ${w.machine.cores ?? '?'} cores busy | | | ${cpuValue(w.machine.busy_cpu_s, 2)} | | ${cpuMs({ cpu_s: w.machine.busy_cpu_s, ms_per_accepted_checkout: w.machine.ms_per_accepted_checkout })} |${settledCell(settled ? { cpu_s: settled.machine.busy_cpu_s, ms_per_accepted_checkout: settled.machine.ms_per_accepted_checkout, core_share: null } : undefined)}`,
  );
  return lines;
}

function loadRow(l: LoadResult): string {
  const rate = l.target_rate ? `${fmt(l.achieved_rate)} of ${fmt(l.target_rate)}` : fmt(l.achieved_rate);
  return `| ${l.label} | ${l.connections} | ${fmt(l.duration_sec)} | ${rate} | ${l.non_2xx} | ${l.errors} | ${fmt(l.latency_ms.p50)} / ${fmt(l.latency_ms.p90)} / ${fmt(l.latency_ms.p99)} / ${fmt(l.latency_ms.max)} |`;
}

/** A verdict cell: the count, and the first ids behind it; bold when it fails the run. */
function verdictCell(t: TargetResult, count: (typeof VERDICT_COUNTS)[number]): string {
  const n = t.verdict?.[count];
  if (n === undefined) return '–';
  if (n === 0 || count === 'accepted' || count === 'final') return String(n);
  const ids = t.verdict_ids?.[count] ?? [];
  const shown = `${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ` and ${ids.length - 8} more` : ''}`;
  return `${(FAILING_COUNTS as readonly string[]).includes(count) ? `**${n}**` : n} (${shown})`;
}

/** The longest lock wait seen, with how many sessions waited at most; "unknown" when it could not be sampled. */
function lockWaitCell(l: LockWaitResult | undefined): string {
  if (!l) return '–';
  if (l.source === 'unknown' || l.longest_ms === null) return 'unknown';
  return `${fmt(l.longest_ms)} (${l.most_waiting} waiting at most; ${l.samples_with_waits} of ${l.samples} samples saw one)`;
}

function goalRow(stack: string, g: GoalResult): string {
  const target =
    g.comparator === 'within' ? `1 ± ${g.limit}` : `${g.comparator === '<=' ? '≤' : '≥'} ${g.limit} ${g.unit}`;
  const result = g.passed === null ? 'not measured' : g.passed ? 'met' : '**missed**';
  return `| ${stack} | ${g.description} | ${fmt(g.value, 3)} ${g.unit === 'ratio' ? '' : g.unit} | ${target} | ${result} |`;
}

/** chaos: one row per fault, kill and pattern of the schedule, as the stack's run carried it out. */
function scheduleRows(stack: string, s: ChaosSchedule): string[] {
  const secs = (v: number | null) => (v === null ? '–' : `${fmt(v, 3)} s`);
  const rows: string[] = [];
  for (const f of s.faults) {
    const planned = f.to_s === null ? `${fmt(f.from_s)} s – end of the rush` : `${fmt(f.from_s)} – ${fmt(f.to_s)} s`;
    const applied = f.status === 'applied' ? `on ${secs(f.applied_at_s)}, off ${secs(f.reverted_at_s)}` : '–';
    const result = f.status === 'applied' ? 'applied' : f.status === 'not_applicable' ? 'skipped' : `**${f.status}**`;
    rows.push(
      `| ${stack} | fault ${f.name}=${String(f.value)} | ${planned} | ${applied} | ${result}${f.detail ? `: ${f.detail}` : ''} |`,
    );
  }
  for (const k of s.kills) {
    const applied =
      k.status === 'killed'
        ? `killed ${secs(k.killed_at_s)}, running again ${secs(k.restarted_at_s)}${k.queue_empty_at_s === null ? '' : `, queues empty ${secs(k.queue_empty_at_s)}`}`
        : '–';
    const result = k.status === 'killed' ? 'killed' : k.status === 'not_of_this_stack' ? 'skipped' : '**failed**';
    rows.push(
      `| ${stack} | kill ${k.process} (SIGKILL) | ${fmt(k.at_s)} s | ${applied} | ${result}${k.detail ? `: ${k.detail}` : ''} |`,
    );
  }
  for (const p of s.patterns) {
    const result = p.status === 'applied' ? 'off' : p.status === 'failed' ? '**failed**' : 'skipped';
    rows.push(
      `| ${stack} | pattern ${p.name}=off | the whole run | ${p.status === 'applied' ? 'off' : '–'} | ${result}: ${p.detail} |`,
    );
  }
  return rows;
}

/** report.md: the table a person reads, fit for a CI job summary or a pull-request comment. */
export function toMarkdown(report: Report, charts: string[] = []): string {
  // One column per target, in TARGET_NAMES' order: the blocking monolith, the fixed one, the microservices.
  const stacks = TARGET_NAMES.filter((s) => report.targets[s]);
  const targets = stacks.map((s) => report.targets[s] as TargetResult);
  const nameOf = (t: TargetResult) => NAMES[stacks[targets.indexOf(t)] ?? t.stack];
  const o = report.options;
  const e = report.environment;
  const lines: string[] = [];
  lines.push(`## Checkout Lab benchmark: ${report.scenario}`, '');
  // chaos: with --expect-violations a pass means the schedule broke something; with a pattern off, nothing is judged.
  const expectViolations = o.chaos?.expectViolations === true;
  const why = expectViolations
    ? 'a verdict shows the breakage --expect-violations asked for'
    : targets.some((t) => t.schedule && !t.schedule.judged)
      ? 'a pattern was off: the verdict is reported, not judged'
      : 'every invariant held';
  lines.push(
    report.passed
      ? `**Result: passed** (${why})`
      : `**Result: FAILED** (${report.failures.length} problem${report.failures.length === 1 ? '' : 's'})`,
    '',
  );
  lines.push(
    `Run ${report.started_at} (${fmt(report.duration_sec)} s) on ${e.cpu_model}, ${e.cores} cores, Node ${e.node}; ` +
      `PostgreSQL: ${e.postgres.split(' on ')[0]}; RabbitMQ: ${e.rabbitmq}; commit ${e.git_commit}.`,
    '',
  );
  lines.push(
    `Options: target ${o.target}, buyers ${o.buyers}, stock ${o.stock}, connections ${o.connections}, duration ${o.durationSec} s, ` +
      `payment delay ${o.paymentDelayMs} ms, email delay ${o.emailDelayMs} ms, failure rate ${o.failureRate}, repeat ${o.repeat}` +
      `${o.rate ? `, rate ${o.rate} req/s` : ''}.`,
    '',
  );

  if (targets.length) {
    lines.push(`| figure (ms: p50 / p90 / p99 / max) | ${stacks.map((s) => NAMES[s]).join(' | ')} |`);
    lines.push(`| --- | ${stacks.map(() => '---').join(' | ')} |`);
    const row = (label: string, pick: (t: TargetResult) => string) =>
      lines.push(`| ${label} | ${targets.map(pick).join(' | ')} |`);
    if (targets.some((t) => t.fixes))
      row('monolith fix switches on (GET /api/lab/fixes)', (t) =>
        t.fixes
          ? Object.entries(t.fixes)
              .filter(([, on]) => on)
              .map(([name]) => name)
              .join(', ') || 'none: the blocking checkout'
          : '–',
      );
    if (targets.some((t) => t.in_force))
      row('faults on, patterns off, as the run started', (t) => describeInForce(t.in_force));
    row('checkouts: accepted / confirmed / cancelled / refused', (t) => {
      const m = t.metrics;
      return `${m.checkouts}: ${m.accepted} / ${m.confirmed} / ${m.cancelled} / ${m.refused}`;
    });
    row('buyer waited, client clock', (t) => dist(t.metrics.client_latency_ms));
    row('processing_duration_ms (server)', (t) => dist(t.metrics.processing_duration_ms));
    row('completion_duration_ms (server)', (t) => dist(t.metrics.completion_duration_ms));
    if (targets.some((t) => t.metrics.overhead_ms))
      row('overhead = processing - delays', (t) => dist(t.metrics.overhead_ms));
    if (targets.some((t) => t.metrics.last_accept_ms !== undefined)) {
      row('last answer, ms after the rush began', (t) => fmt(t.metrics.last_accept_ms));
      row('last order final, ms after the rush began', (t) => fmt(t.metrics.last_final_ms));
    }
    if (targets.some((t) => t.metrics.rush_ratio !== undefined))
      row('rush ratio: slowest wait / (confirmed x delays)', (t) => fmt(t.metrics.rush_ratio, 3));
    if (targets.some((t) => t.metrics.load)) {
      row('requests/s (achieved)', (t) => fmt(t.metrics.load?.achieved_rate));
      row('all requests latency', (t) =>
        t.metrics.load
          ? `${fmt(t.metrics.load.latency_ms.p50)} / ${fmt(t.metrics.load.latency_ms.p90)} / ${fmt(t.metrics.load.latency_ms.p99)} / ${fmt(t.metrics.load.latency_ms.max)}`
          : '–',
      );
      row('non-2xx / socket errors', (t) =>
        t.metrics.load ? `${t.metrics.load.non_2xx} / ${t.metrics.load.errors}` : '–',
      );
      row('accepted checkouts/s', (t) => fmt(t.metrics.accepted_checkouts_per_sec));
    }
    if (targets.some((t) => t.metrics.accepted_checkouts_to_floor !== undefined))
      row('accepted checkouts/s / floor POST req/s', (t) => fmt(t.metrics.accepted_checkouts_to_floor, 3));
    if (targets.some((t) => t.metrics.machine_cpu_per_checkout_to_floor !== undefined))
      row("machine's CPU per accepted checkout / per floor POST", (t) =>
        fmt(t.metrics.machine_cpu_per_checkout_to_floor, 1),
      );
    if (targets.some((t) => t.memory)) row('RSS of the processes, MB: idle / peak', (t) => memoryCell(t.memory));
    if (targets.some((t) => t.cpu?.window)) {
      row('CPU ms per accepted checkout: the stack / everything listed', (t) =>
        t.cpu?.window ? `${cpuMs(t.cpu.window.stack)} / ${cpuMs(t.cpu.window.all_listed)}` : 'unknown',
      );
      row('machine CPU ms per accepted checkout: the window / through settling', (t) =>
        t.cpu?.window
          ? `${cpuMs({ cpu_s: t.cpu.window.machine.busy_cpu_s, ms_per_accepted_checkout: t.cpu.window.machine.ms_per_accepted_checkout })} / ${t.cpu.with_settle ? cpuMs({ cpu_s: t.cpu.with_settle.machine.busy_cpu_s, ms_per_accepted_checkout: t.cpu.with_settle.machine.ms_per_accepted_checkout }) : '–'}`
          : 'unknown',
      );
      row('machine busy during the CPU window', (t) => machineCell(t.cpu?.window));
    }
    if (targets.some((t) => t.lock_wait)) {
      row('longest lock wait on the hot product, ms (pg_stat_activity)', (t) => lockWaitCell(t.lock_wait));
    }
    row('HTTP answers by status', (t) =>
      Object.entries(t.http.by_status)
        .map(([s, n]) => `${s}: ${n}`)
        .join(', '),
    );
    lines.push('');
  }

  const withMemory = targets.filter((t) => t.memory?.source === 'proc');
  if (withMemory.length) {
    lines.push('Resident memory (VmRSS) of each process, MB: idle before the run / peak during it:', '');
    lines.push('| stack | process | pid | idle | peak |', '| --- | --- | --- | --- | --- |');
    for (const t of withMemory) {
      const m = t.memory as MemoryResult;
      for (const [name, p] of Object.entries(m.processes))
        lines.push(`| ${nameOf(t)} | ${name} | ${p.pid} | ${mb(p.idle_rss_bytes)} | ${mb(p.peak_rss_bytes)} |`);
      lines.push(
        `| ${nameOf(t)} | **together** (${m.samples} samples) | | **${mb(m.idle_rss_bytes)}** | **${mb(m.peak_rss_bytes)}** |`,
      );
    }
    lines.push('');
  }

  const withCpu = targets.filter((t) => t.cpu?.window);
  if (withCpu.length) {
    const settling = withCpu.some((t) => t.cpu?.with_settle);
    lines.push(
      'CPU (utime + stime from /proc/<pid>/stat at the start and the end of the window; PostgreSQL and RabbitMQ with ' +
        'their children; the benchmark from process.cpuUsage(); "unknown": not readable):',
      '',
    );
    for (const t of withCpu) {
      const c = t.cpu as CpuResult;
      const w = c.window as CpuWindow;
      const s = c.with_settle;
      lines.push(
        `- ${nameOf(t)}: ${w.description}: ${fmt(w.window_s)} s${w.spans > 1 ? ` in ${w.spans} spans` : ''}, ` +
          `${w.accepted_checkouts} accepted checkouts${s ? `; through settling: ${fmt(s.window_s)} s` : ''}; ` +
          `${c.clock_ticks_per_sec} clock ticks/s (${c.clock_ticks_source}).`,
      );
    }
    lines.push('');
    lines.push(
      `| stack | process | role | pid | CPU s | share of one core | CPU ms / accepted checkout |${settling ? ' CPU ms / accepted checkout, through settling |' : ''}`,
      `| --- | --- | --- | --- | --- | --- | --- |${settling ? ' --- |' : ''}`,
    );
    for (const t of withCpu) lines.push(...cpuRows(nameOf(t), t.cpu as CpuResult, settling));
    lines.push('');
  }

  if (report.baseline) {
    lines.push('Floor of this machine (bare Express handler, same load generator):', '');
    lines.push('| load | connections | seconds | req/s | non-2xx | errors | latency ms p50 / p90 / p99 / max |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- |');
    lines.push(loadRow(report.baseline.get), loadRow(report.baseline.post));
    if (targets.some((t) => t.metrics.load))
      for (const t of targets) if (t.metrics.load) lines.push(loadRow(t.metrics.load));
    lines.push('');
    const floorCpu = report.baseline.post_cpu;
    if (floorCpu)
      lines.push(
        `The machine during the floor POST load: ${fmt(floorCpu.busy_cpu_s)} CPU s busy ` +
          `(${floorCpu.busy_share === null ? 'unknown' : `${fmt(floorCpu.busy_share * 100, 1)} %`} of its cores) ` +
          `for ${floorCpu.requests} POSTs: ${fmt(floorCpu.ms_per_request, 4)} CPU ms per POST.`,
        '',
      );
  }

  const goals = targets.flatMap((t) => t.goals.map((g) => goalRow(nameOf(t), g)));
  if (goals.length) {
    lines.push('Goals (reported; they do not fail the run):', '');
    lines.push('| stack | goal | measured | target | result |', '| --- | --- | --- | --- | --- |', ...goals, '');
  }

  if (targets.length) {
    lines.push('Invariants (a broken one fails the run):', '');
    const names = [...new Set(targets.flatMap((t) => t.invariants.map((i) => i.name)))];
    lines.push(`| invariant | ${stacks.map((s) => NAMES[s]).join(' | ')} |`);
    lines.push(`| --- | ${stacks.map(() => '---').join(' | ')} |`);
    for (const name of names) {
      const cells = targets.map((t) => {
        const inv = t.invariants.find((i) => i.name === name);
        return inv ? (inv.ok ? 'ok' : `**BROKEN**: ${inv.detail}`) : '–';
      });
      lines.push(`| ${name} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  const scheduled = targets.filter((t) => t.schedule);
  if (scheduled.length) {
    const first = scheduled[0].schedule as ChaosSchedule;
    lines.push(
      `Schedule (seed ${first.seed}; the buyers' checkouts spread over ${first.arrival_window_s} s; seconds after the rush's first checkout):`,
      '',
      '| stack | what | planned | as applied | result |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const t of scheduled) lines.push(...scheduleRows(NAMES[t.stack], t.schedule as ChaosSchedule));
    if (scheduled.every((t) => !t.schedule?.faults.length && !t.schedule?.kills.length && !t.schedule?.patterns.length))
      lines.push('| – | nothing scheduled | | | |');
    lines.push('');
    for (const t of scheduled) {
      const s = t.schedule as ChaosSchedule;
      const drains = s.kills.filter((k) => k.restart_to_queue_empty_ms !== null);
      const parts = [
        `rush ${fmt(s.rush_s, 3)} s`,
        ...drains.map(
          (k) =>
            `${k.process}: queues empty ${k.restart_to_queue_empty_ms} ms after its restart (${k.peak_queue_depth ?? 0} messages waited at most)`,
        ),
        ...(s.redriven > 0 ? [`${s.redriven} dead letters redriven once the faults were off`] : []),
        ...(s.judged ? [] : ['a pattern was off: the verdict is reported, not judged (--expect-violations judges it)']),
      ];
      lines.push(`- ${NAMES[t.stack]}: ${parts.join('; ')}.`);
    }
    lines.push('');
  }
  if (targets.some((t) => t.verdict)) {
    lines.push(
      expectViolations
        ? 'Verdict (docs/conventions.md, "The verdict"; --expect-violations: a clean one fails the run, ids in brackets):'
        : 'Verdict (docs/conventions.md, "The verdict"; a non-zero count in bold fails the run, ids in brackets):',
      '',
    );
    lines.push(`| count | ${stacks.map((s) => NAMES[s]).join(' | ')} |`);
    lines.push(`| --- | ${stacks.map(() => '---:').join(' | ')} |`);
    for (const count of VERDICT_COUNTS) {
      lines.push(`| ${count} | ${targets.map((t) => verdictCell(t, count)).join(' | ')} |`);
    }
    lines.push('');
  }
  if (report.failures.length) lines.push('Problems:', '', ...report.failures.map((f) => `- ${f}`), '');
  const lockWaits = targets.filter((t) => t.lock_wait);
  if (lockWaits.length) {
    lines.push('Lock waits during the rush (a wait shorter than the sampling interval may go unseen):', '');
    for (const t of lockWaits) lines.push(`- ${nameOf(t)}: ${t.lock_wait?.detail}; ${t.lock_wait?.samples} samples.`);
    lines.push('');
  }
  const notes = targets.flatMap((t) => t.notes.map((n) => `- ${nameOf(t)}: ${n}`));
  if (notes.length) lines.push('Notes:', '', ...notes, '');
  if (charts.length) lines.push(...charts.map((c) => `![${c}](${c})`), '');
  return lines.join('\n');
}
