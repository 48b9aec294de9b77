// Metadata writes from the designer: every change is first a dry run; when its plan would
// destroy data or scan existing rows (drop a column or table, check NOT NULL), the plan is
// shown and the admin confirms before it is applied. New indexes are not asked about: the
// server builds them on big tables concurrently, after the change commits.
import { ref } from 'vue';
import { api } from '../api/client.ts';
import type { PlanStep } from '../api/types.ts';
import { useMetadata } from './useMetadata.ts';

const RISKY = new Set(['drop_column', 'drop_table', 'check_not_null', 'drop_sequence']);

const pending = ref<{ plan: PlanStep[]; decide: (ok: boolean) => void } | null>(null);

export function useMetaChange() {
  const { load } = useMetadata();

  async function change<T>(method: string, path: string, body?: unknown): Promise<T | null> {
    const sep = path.includes('?') ? '&' : '?';
    const dry = await api<{ plan: PlanStep[] }>(method, `${path}${sep}dry_run=true`, body);
    if (dry.plan.some((s) => RISKY.has(s.kind))) {
      const ok = await new Promise<boolean>((decide) => (pending.value = { plan: dry.plan, decide }));
      pending.value = null;
      if (!ok) return null;
    }
    const result = await api<T>(method, path, body);
    await load(true);
    return result;
  }

  return { change, pending };
}
