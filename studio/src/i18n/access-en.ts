// English strings of the permission-aware studio (issue 16, item 6): "no access" pages and the
// server's problems the studio names by their type. Spread into en.ts.
export const accessEn = {
  'access.title': 'No access',
  'access.object': 'You do not have access to “{object}”. Ask an admin if you need it.',
  'access.record': 'You do not have access to this record. Ask an admin if you need it.',
  'access.create': 'You may not create {object} records. Ask an admin if you need to.',
  'access.checking': 'Checking your access…',
  'problem.notFoundRecord': 'This record does not exist or has been deleted.',
  'problem.unknown': '{title}',
  'problem.withField': '{message} ({field}: {detail})',
  'problem.network': 'The server could not be reached ({detail}).',
  'import.problem.encodingJis': 'The file is in ISO-2022-JP (JIS), which imports do not read: save it as UTF-8 or Shift_JIS.',
  'import.problem.encodingMismatch': 'The file is not in the encoding chosen: choose Shift_JIS (cp932), or let it be detected.',
  'import.problem.encodingUndetected': 'The file’s encoding could not be recognised: save it as UTF-8, or choose its encoding.',
  'access.notDeleted': '{count} records were not deleted: {reason}',
  'check.server': '{detail}',
};
