export { createImportService, type ImportService, type ImportPrincipal } from './service.ts';
export { registerImportJob, IMPORT_JOB } from './run.ts';
export { ensureImportTables } from './tables.ts';
export { exportRecords, exportOptions, type ExportOptions } from './export.ts';
