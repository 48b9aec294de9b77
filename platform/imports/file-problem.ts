// An upload the importer cannot read: a 400 naming `file`, with a keyword clients recognise it
// by — never by its English words, which are for people reading the API.
import { badRequest } from '../problems/index.ts';

export type FileKeyword = 'empty' | 'no_data_rows' | 'binary' | 'not_xlsx' | 'too_many_columns' | 'unreadable_csv' | 'unreadable_xlsx';

export const fileProblem = (keyword: FileKeyword, detail: string, message = detail) =>
  badRequest(detail, [{ field: 'file', message, keyword }]);
