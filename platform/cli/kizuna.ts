// `npx kizuna <command>`: plugin scaffolding and export.
//   kizuna plugin new <name>                          scaffold plugins/<name> with a passing test
//   kizuna plugin export <name> [--objects a,b] [--workflows "Name,Other name"] [--out DIR] [--version 1.0.0]
// export reads the database `npm start` uses (DATABASE_URL, or PGlite in KIZUNA_DATA_DIR,
// default ./data; PGlite is one process per folder: stop the server first).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDatabase } from '../db/index.ts';
import { createRegistry } from '../metadata/index.ts';
import { planExport, readWorkflows, writeExport } from './plugin-export.ts';
import { scaffoldPlugin } from './plugin-scaffold.ts';

const root = resolve(import.meta.dirname, '../..');
const usage = `usage:
  kizuna plugin new <name>
  kizuna plugin export <name> [--objects a,b] [--workflows "Name,Other name"] [--out DIR] [--version 1.0.0]`;

async function main(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { objects: { type: 'string' }, workflows: { type: 'string' }, out: { type: 'string' }, version: { type: 'string' } },
  });
  const [group, command, name] = positionals;
  if (group !== 'plugin' || !name || !['new', 'export'].includes(command)) throw new Error(usage);
  if (command === 'new') {
    const files = await scaffoldPlugin(root, name);
    console.log(
      `created ${files.length} files in plugins/${name}:\n${files.map((f) => `  ${f}`).join('\n')}\nrun its test: npx vitest run plugins/${name}`,
    );
    return;
  }
  const url = process.env.DATABASE_URL || undefined;
  const dataDir = resolve(process.env.KIZUNA_DATA_DIR ?? './data');
  if (!url && !existsSync(dataDir)) throw new Error(`no Kizuna database at ${dataDir}; set KIZUNA_DATA_DIR or DATABASE_URL`);
  const db = await createDatabase({ url, dataDir: url ? undefined : dataDir });
  try {
    const registry = await createRegistry({ db });
    try {
      const list = (v: string | undefined) =>
        (v ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      const workflows = await readWorkflows(db, list(values.workflows));
      const plan = planExport(registry.snapshot(), name, list(values.objects), values.version, workflows);
      const files = await writeExport(resolve(values.out ?? join(root, 'plugins', name)), plan);
      console.log(`exported to ${files.length} files:\n${files.map((f) => `  ${f}`).join('\n')}`);
    } finally {
      await registry.close();
    }
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`kizuna: ${(e as Error).message}`);
  process.exit(1);
});
