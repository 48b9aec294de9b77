// The SLA's hooks on its own objects and on calendars: conditions checked when a policy is
// saved; open cases recomputed after a policy, a calendar or one of its exceptions changes.
import type { AfterEvent, ObjectHooks, PluginContext } from 'kizuna/plugin';
import { checkConditions } from './conditions.ts';
import { policiesOnCalendar, recomputeForPolicies } from './recompute.ts';

const onCalendar = async (calendar: string, ctx: PluginContext) => {
  await recomputeForPolicies(ctx, await policiesOnCalendar(ctx, calendar));
};

async function onException(e: AfterEvent, ctx: PluginContext) {
  // A deleted exception is in the trash, still readable with its calendar; an erased one is not (nothing to find).
  const row = await ctx.records.get('calendar_exception', e.id).catch(() => null);
  if (row) await onCalendar(row.calendar as string, ctx);
}

export const slaHooks: Record<string, ObjectHooks> = {
  sla_policy: {
    beforeCreate: async (e, ctx) => {
      await checkConditions(ctx.records, e.values.conditions);
    },
    beforeUpdate: async (e, ctx) => {
      if ('conditions' in e.values) await checkConditions(ctx.records, e.values.conditions);
    },
    afterUpdate: async (e, ctx) => {
      await recomputeForPolicies(ctx, [e.id]);
    },
  },
  calendar: {
    afterUpdate: (e, ctx) => onCalendar(e.id, ctx),
  },
  calendar_exception: {
    afterCreate: onException,
    afterUpdate: onException,
    afterDelete: onException,
  },
};
