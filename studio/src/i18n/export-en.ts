// English strings of the export dialog's choices (issue 16, item 7): columns, related records
// and users, and how options are written. Spread into en.ts.
export const exportEn = {
  'export.columnSet': 'Columns',
  'export.columnSet.shown': 'Columns shown now ({count})',
  'export.columnSet.all': 'All fields',
  'export.columnSet.view': 'Columns of a saved view',
  'export.columnSet.viewPick': 'Saved view',
  'export.relations': 'Related records and users',
  'export.relations.names': 'Names (import back by name)',
  'export.relations.ids': 'Record IDs',
  'export.relations.hint':
    'A name several records or users share, or a record you may not read, is written as its ID, so the file imports back as it is.',
  'export.options.hint': 'Choices are written as their labels in the header language; with API names, as their values.',
};
