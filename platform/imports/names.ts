// Splitting one "full name" cell into family and given names. Japanese names are written
// family name first (山田 太郎, 山田　太郎); Latin names given name first (Taro Yamada) unless
// written "Yamada, Taro". A name without a space stays whole in the family name.
const CJK = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]/;

export function splitName(full: string): { last?: string; first?: string } {
  const s = full.trim();
  if (!s) return {};
  const comma = /^([^,，、]+)[,，、]\s*(.+)$/.exec(s);
  if (comma) return { last: comma[1].trim(), first: comma[2].trim() };
  const parts = s.split(/[\s\u3000]+/);
  if (parts.length === 1) return { last: s };
  if (CJK.test(s)) return { last: parts[0], first: parts.slice(1).join(' ') };
  return { last: parts[parts.length - 1], first: parts.slice(0, -1).join(' ') };
}
