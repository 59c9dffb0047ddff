/**
 * Indexing where Ridgepoint's own invariant (not the model file) puts the index in range. With
 * noUncheckedIndexedAccess `items[i]` is `T | undefined`; `at` says why it cannot be undefined and, if the
 * invariant is ever broken, fails with a message naming the array instead of letting `undefined` flow on into
 * a wrong number. Input that can be out of range (a corrupt or hostile model) gets a real check and a located
 * diagnostic at the read instead, never this.
 */
export class InternalInvariantError extends Error {}

export function at<T>(items: ArrayLike<T>, index: number, what: string): T {
  const item = items[index];
  if (item === undefined) throw new InternalInvariantError(`internal error: ${what} has no item ${index} (it has ${items.length})`);
  return item;
}

/** Every item, when none is undefined (an argument that did not resolve); otherwise undefined. */
export function allDefined<T>(items: readonly (T | undefined)[]): T[] | undefined {
  const defined = items.filter((item): item is T => item !== undefined);
  return defined.length === items.length ? defined : undefined;
}
