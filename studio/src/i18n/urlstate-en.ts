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
  'designer.minimum': 'Minimum',
  'designer.maximum': 'Maximum',
  'designer.decimals': 'Decimal places',
  'designer.minAboveMax': 'The minimum must not be greater than the maximum.',
  'designer.decimalsRange': 'Decimal places must be a whole number from 0 to 8.',
  'designer.currencyDigits': '{code} amounts have {digits} decimal places (its ISO 4217 rule).',
  'check.decimals': 'at most {max} digits after the decimal point',
  'objectTexts.pluralEn': 'Plural label (English)',
  'objectTexts.pluralJa': 'Plural label (Japanese)',
  'objectTexts.descEn': 'Description (English)',
  'objectTexts.descJa': 'Description (Japanese)',
  'objectTexts.settings': 'Labels and icon',
  'objectTexts.badName': 'Use lowercase letters, digits and _, starting with a letter (up to 63).',
  'objectTexts.nameTaken': 'An object named "{name}" already exists.',
  'objectTexts.nameHint': 'Suggested from the English label; records and links use it, and it cannot change later.',
};
