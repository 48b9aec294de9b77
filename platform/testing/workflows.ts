// Test support for workflow tests: a support team and leads, and waiting for runs.
import { expect } from 'vitest';
import type { TestKizuna } from './kizuna.ts';

export async function supportTeams(k: TestKizuna) {
  const support = (await k.call('POST', '/api/teams', { name: 'support' })).body.id as string;
  const leads = (await k.call('POST', '/api/teams', { name: 'support-leads' })).body.id as string;
  const agents: string[] = [];
  for (const name of ['agent1', 'agent2', 'agent3']) {
    agents.push((await k.call('POST', '/api/users', { email: `${name}@example.jp`, name, teams: [support] })).body.id);
  }
  const lead = (await k.call('POST', '/api/users', { email: 'lead@example.jp', name: 'lead', teams: [leads] })).body.id as string;
  return { support, leads, agents: agents.sort(), lead };
}

/** Creates, publishes and enables a workflow; answers its id. */
export async function publishWorkflow(k: TestKizuna, def: unknown): Promise<string> {
  const made = await k.call('POST', '/api/workflows', def);
  if (made.status !== 201) throw new Error(`create: ${made.status} ${JSON.stringify(made.body)}`);
  const pub = await k.call('POST', `/api/workflows/${made.body.id}/publish`);
  if (pub.status !== 200) throw new Error(`publish: ${pub.status} ${JSON.stringify(pub.body)}`);
  const on = await k.call('POST', `/api/workflows/${made.body.id}/enable`);
  if (on.status !== 200) throw new Error(`enable: ${on.status} ${JSON.stringify(on.body)}`);
  return made.body.id;
}

/** The runs of a workflow once there are at least `count` and all reached one of the given states. */
export async function settledRuns(k: TestKizuna, id: string, count: number, states = ['succeeded', 'failed'], timeout = 10_000) {
  // The runs of the read that passed, not of a later one: a test counting them sees that read.
  let runs: { id: string; status: string; record_id?: string }[] = [];
  const statuses = async () => {
    runs = (await k.call('GET', `/api/workflows/${id}/runs`)).body.data;
    return runs.map((r) => r.status);
  };
  await expect
    .poll(statuses, { timeout, message: `${count} runs in ${states.join(' or ')}` })
    .toSatisfy((s: string[]) => s.length >= count && s.every((x) => states.includes(x)));
  return runs;
}
