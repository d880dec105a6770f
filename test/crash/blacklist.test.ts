import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Blacklist } from '../../src/crash/blacklist.ts';

describe('Blacklist', () => {
  // reference-backend §14.6
  test('contains (fc, md) when built from [(fa, mb), (fc, md)]', () => {
    const blacklist = new Blacklist([{ function: 'fa', module: 'mb' }, { function: 'fc', module: 'md' }]);
    assert.equal(blacklist.has('fc', 'md'), true);
  });

  test('does not contain (fx, mx) when built from [(fa, mb), (fc, md)]', () => {
    const blacklist = new Blacklist([{ function: 'fa', module: 'mb' }, { function: 'fc', module: 'md' }]);
    assert.equal(blacklist.has('fx', 'mx'), false);
  });

  test('matches the pair, not its parts', () => {
    const blacklist = new Blacklist([{ function: 'fa', module: 'mb' }, { function: 'fc', module: 'md' }]);
    assert.equal(blacklist.has('fa', 'md'), false);
    assert.equal(blacklist.has('fc', 'mb'), false);
  });

  test('keeps C++ names with `::` and separators apart', () => {
    const blacklist = new Blacklist([{ function: 'a::b', module: 'c' }, { function: 'x||||y', module: 'z' }]);
    assert.equal(blacklist.has('a::b', 'c'), true);
    assert.equal(blacklist.has('a', 'b::c'), false);
    assert.equal(blacklist.has('x', 'y||||z'), false);
  });

  test('counts duplicate pairs once', () => {
    const blacklist = new Blacklist([
      { function: 'f', module: 'm' },
      { function: 'f', module: 'm' },
      { function: 'f', module: 'n' },
    ]);
    assert.equal(blacklist.size, 2);
    assert.deepEqual([...blacklist.entries()], [{ function: 'f', module: 'm' }, { function: 'f', module: 'n' }]);
  });

  test('contains nothing when built from no pairs', () => {
    const blacklist = new Blacklist();
    assert.equal(blacklist.size, 0);
    assert.equal(blacklist.has('', ''), false);
  });
});
