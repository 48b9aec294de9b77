// axe-core in the page: the accessibility rules a browser test can check, reduced to the
// serious and critical violations (each with the elements it found), so a test can insist on none.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { root } from './harness.ts';

export interface Violation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

export async function seriousViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) {
    // Evaluated through the DevTools protocol, not added as a <script>: the studio's
    // Content-Security-Policy (no inline scripts) rightly blocks an injected script tag.
    await page.evaluate(await readFile(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  }
  // A string, not a function: tsx would add helpers the page does not have.
  const result = await page.evaluate<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }>(
    `axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })`,
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}
