// API names suggested from what an admin types as a label: "Sales Order" → sales_order,
// "Café Réservation" → cafe_reservation. A label with no Latin letters (商談メモ) gives a plain
// placeholder (custom_object) to edit: a romanisation guessed here would read as a typo.
// Names already taken get a number (project_2), so a suggestion never collides.

const NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** snake_case of the label's Latin letters and digits, or '' when it has none. */
export function snakeCase(label: string): string {
  const words = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .match(/[a-z0-9]+/g);
  let name = (words ?? []).join('_');
  if (name && !/^[a-z]/.test(name)) name = `n_${name}`;
  return name.slice(0, 63).replace(/_+$/, '');
}

/** A free name for the label: its snake_case, else `fallback`, numbered past the taken ones. */
export function suggestApiName(label: string, taken: (name: string) => boolean, fallback = 'custom_object'): string {
  const base = snakeCase(label) || fallback;
  if (!taken(base)) return base;
  for (let i = 2; ; i++) {
    const next = `${base.slice(0, 60)}_${i}`;
    if (!taken(next)) return next;
  }
}

/** The English plural of an API name, as the records path uses it: company → companies, case → cases. */
export function pluralName(name: string): string {
  if (!name) return '';
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(name)) return `${name}es`;
  return `${name}s`;
}

export const isApiName = (name: string) => NAME.test(name);
