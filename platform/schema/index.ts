export { planMigration, type PlanOptions, type Step } from './plan.ts';
export { applyPlan, buildDeferred, describePlan, type StepView } from './apply.ts';
export { bootstrapPlatform } from './bootstrap.ts';
export { METADATA_LOCK } from './lock.ts';
export { layoutOf, renderSql } from './layout.ts';
export { upgradeLayouts } from './upgrade.ts';
