export { createImportService, type ImportService } from './service.ts';
export type { ImportPrincipal } from './principal.ts';
export { registerImportJob, IMPORT_JOB } from './run.ts';
export { ensureImportTables } from './tables.ts';
export { exportRecords, exportOptions, type ExportOptions } from './export.ts';
