// Case lifecycle: the category of each status (from the plugin's settings) and what resolving
// requires. Pure; the case hooks apply it.
import type { Category } from './clock-state.ts';

const DEFAULT_CATEGORIES: Record<string, Category> = {
  new: 'new',
  open: 'open',
  in_progress: 'open',
  pending: 'pending',
  waiting: 'pending',
  resolved: 'resolved',
  closed: 'closed',
};

/** The status's category: the settings' mapping, else the defaults, else open (an unknown status keeps the clock running). */
export function categoryOf(status: unknown, settings: Record<string, unknown>): Category {
  const mapping = (settings.status_categories ?? {}) as Record<string, Category>;
  const s = typeof status === 'string' ? status : '';
  return mapping[s] ?? DEFAULT_CATEGORIES[s] ?? 'open';
}

export const isDone = (c: Category) => c === 'resolved' || c === 'closed';

/** Problems when a case becomes resolved or closed without the code and note the settings require. */
export function resolutionProblems(
  values: Record<string, unknown>,
  settings: Record<string, unknown>,
): { field: string; message: string }[] {
  if (settings.require_resolution === false) return [];
  const empty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
  const problems: { field: string; message: string }[] = [];
  if (empty(values.resolution_code)) problems.push({ field: 'resolution_code', message: 'is required to resolve or close a case' });
  if (empty(values.resolution))
    problems.push({ field: 'resolution', message: 'is required to resolve or close a case (the resolution note)' });
  return problems;
}
