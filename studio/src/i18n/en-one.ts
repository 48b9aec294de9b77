// English messages for a count of exactly one ("1 record", not "1 records"). Japanese needs no
// such forms. useI18n picks one of these when a message's `count` parameter is 1.
import type { MessageKey } from './en.ts';

export const enOne: Partial<Record<MessageKey, string>> = {
  'home.records': '{count} record',
  'list.confirmDelete': 'Delete {count} record?',
  'list.bulkDone': '{count} record updated',
  'list.deleted': '{count} record deleted',
  'access.notDeleted': '{count} record was not deleted: {reason}',
  'filter.active': '{count} filter',
  'designer.fieldCount': '{count} field',
  'designer.planDrops': '{description} — {count} value will be lost',
  'designer.planEmpty': '{description} — {count} record has no value',
  'plugins.afterHooks.backlog': '{count} event waiting',
  'plugins.afterHooks.failures': '{count} failed attempt',
  'import.errorReport': 'Download the error report ({count} row)',
  'people.roles.problemCount': '{count} problem',
};
