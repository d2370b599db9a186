import type { TargetChoice } from '../../shared/types';

/** Formatting shared by every view: durations, rates, money. Null or missing values read as an en dash. */

const DASH = '–';

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return DASH;
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

/** The live timer's face: tenths of a second, so it visibly ticks every 100 ms. */
export function formatTimer(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || Number.isNaN(perSecond)) return DASH;
  return `${perSecond >= 100 ? Math.round(perSecond) : perSecond.toFixed(1)}/s`;
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return DASH;
  return n.toLocaleString('en-US');
}

/** Money arrives as a decimal string with two places ("1299.99"). */
export function formatMoney(amount: string | number | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return DASH;
  const value = typeof amount === 'number' ? amount : Number(amount);
  if (Number.isNaN(value)) return DASH;
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function formatPercent(share: number | null | undefined, digits = 0): string {
  if (share === null || share === undefined || Number.isNaN(share)) return DASH;
  return `${(share * 100).toFixed(digits)}%`;
}

/** "12:04:31" for a timestamp, in the viewer's time zone. */
export function formatClock(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return DASH;
  return date.toLocaleTimeString('en-GB', { hour12: false });
}

/** Each target by name: the two stacks, and the monolith with every fix switch on (the benchmark's monolith-fixed). */
export const STACK_LABELS = {
  monolith: 'Monolith',
  'monolith-fixed': 'Monolith, fixed',
  micro: 'Microservices',
} as const;

/** A run's choice of targets by name: one target's label, "both stacks" or "all three". */
export function targetChoiceLabel(choice: TargetChoice): string {
  if (choice === 'both') return 'both stacks';
  if (choice === 'all') return 'all three';
  return STACK_LABELS[choice];
}
