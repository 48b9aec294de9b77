// English strings of the workflow designer's drafts and problems and of plugin settings
// (issue 16, items 12-13). Spread into en.ts.
export const wfplugEn = {
  'wf.problem.emptyOption': 'choose a value',
  'wf.publishRefused': 'Fix the {n} problem(s) of the draft before publishing. The draft is saved.',
  'wf.savedWithProblems': 'Draft saved with {n} problem(s): fix them before publishing.',
  'wf.recordGone': 'Record not readable',
  'wf.chooseValue': 'Choose a value…',
  'plugins.settingsForm': 'Settings of {plugin}',
  'plugins.settingsInvalid': 'Check the settings: {fields}',
  'plugins.settingsNone': 'This plugin has no settings.',
  'plugins.settingsDefault': 'Default: {value}',
  'plugins.addValue': 'Add a value',
  'schema.problem.maxLength': 'must be at most {n} characters',
  'schema.problem.maxItems': 'must have at most {n} items',
  'schema.problem.pattern': 'does not have the expected form ({pattern})',
};
