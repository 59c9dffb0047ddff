/** ir/at.ts: reads that an invariant keeps in range, and all-or-nothing argument lists. */
import * as assert from 'node:assert/strict';
import { allDefined, at, InternalInvariantError } from '../../server/src/analysis/ir/at';

describe('checked reads (ir/at)', () => {
  it('returns the item at an index in range, falsy items included', () => {
    assert.equal(at([7, 0, 9], 1, 'numbers'), 0);
    assert.equal(at(['a', ''], 1, 'strings'), '');
    assert.equal(at([null], 0, 'nulls'), null);
  });

  it('fails with an internal error naming the array when the index is out of range', () => {
    assert.throws(() => at([1, 2], 2, 'kernel members'), (error: unknown) => {
      assert.ok(error instanceof InternalInvariantError);
      assert.equal(error.message, 'internal error: kernel members has no item 2 (it has 2)');
      return true;
    });
    assert.throws(() => at([1, 2], -1, 'kernel members'), InternalInvariantError);
  });

  it('gives every item when none is undefined, and undefined otherwise', () => {
    assert.deepEqual(allDefined([1, 0, null]), [1, 0, null]);
    assert.deepEqual(allDefined([]), []);
    assert.equal(allDefined([1, undefined, 3]), undefined);
  });
});
