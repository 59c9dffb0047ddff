/**
 * How a typed chip name finds its chip, shared by the chip database (findChip) and the editor's chip
 * picker (which holds chip summaries, not the database): ids compare case-insensitively and ignoring
 * separators; an id wins over an alias, an alias over a full name; vendor words may be left out.
 */
export interface NamedChip {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly name: string;
}

/** How ids are compared: case-insensitive, ignoring '-', '_', '.' between words and spaces. */
export function chipKey(text: string): string {
  return text.toLowerCase().replace(/[\s_.-]+/g, '');
}

export const VENDOR_WORDS = /^(nvidia|amd|google|intel|apple|habana|geforce|instinct|cloud|tesla)+/;

/** The first chip (list by list) whose id, else alias, else full name has this key. */
export function matchKey<T extends NamedChip>(lists: readonly (readonly T[])[], key: string): T | undefined {
  for (const list of lists) for (const c of list) if (chipKey(c.id) === key) return c;
  for (const list of lists) for (const c of list) if (c.aliases.some((a) => chipKey(a) === key)) return c;
  for (const list of lists) for (const c of list) if (chipKey(c.name) === key) return c;
  return undefined;
}

/** The chip `text` names exactly (`h100`, `H100 SXM`, `NVIDIA H100`), searching the lists in order; undefined when none. */
export function matchChip<T extends NamedChip>(lists: readonly (readonly T[])[], text: string): T | undefined {
  const key = chipKey(text);
  if (key === '') return undefined;
  const found = matchKey(lists, key);
  if (found) return found;
  const bare = key.replace(VENDOR_WORDS, '');
  return bare !== key && bare !== '' ? matchKey(lists, bare) : undefined;
}
