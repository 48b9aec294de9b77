// English strings of shareable list addresses, the custom-object designer's plural and
// description, kanban card fields and column totals, and number limits (issue 16, items 8-9).
// Spread into en.ts.
export const urlstateEn = {
  'address.ignored': 'This link asked for something this list does not have; it is shown without it: {items}',
  'address.dismiss': 'Dismiss',
  'board.card': 'Card',
  'board.cardFields': 'Fields on each card',
  'board.sumField': 'Column total',
  'board.countOnly': 'Count only',
  'board.save': 'Save board',
  'board.saveAs': 'Save as board view',
  'board.saved': 'Board saved',
};
