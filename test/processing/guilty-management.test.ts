// Guilty management against a real database: hide, comment, blacklist entries,
// "Apply" on one record, and the errors the API answers with.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listBlacklistEntries } from '../../src/db/queries/blacklist.ts';
import { findCrashAnalysis } from '../../src/db/queries/crash-analysis.ts';
import { findGuiltyById, listHiddenGuilties } from '../../src/db/queries/guilty.ts';
import { listReprocessJobs } from '../../src/db/queries/reprocess-jobs.ts';
import { AppError } from '../../src/errors.ts';
import {
  addBlacklistEntry,
  applyToRecord,
  BlacklistEntryInvalidError,
  BlacklistEntryNotFoundError,
  CommentTooLongError,
  CrashRecordNotFoundError,
  GuiltyNotFoundError,
  removeBlacklistEntry,
  setGuiltyComment,
  setGuiltyHidden,
} from '../../src/processing/guilty-management.ts';
import { createTestDatabase, databaseTargets, type TestDatabase } from '../helpers/database.ts';
import { ANALYSIS_OPTIONS, readCrashFixture, storeRecords } from './crash-records.ts';

/** Stores the spec's crash example and applies it: returns the record id and its guilty id. */
async function storeAppliedCrash(db: TestDatabase, fixture = 'crash-clr-spec-example.txt'): Promise<{ recordId: number; guiltyId: number }> {
  const [recordId] = await storeRecords(db.pool, [{ payload: readCrashFixture(fixture) }]);
  const applied = await applyToRecord(db.pool, recordId as number, ANALYSIS_OPTIONS);
  assert.ok(applied.guilty);
  return { recordId: recordId as number, guiltyId: applied.guilty.id };
}

function assertAppError(err: unknown, type: new (...args: never[]) => AppError, status: number): true {
  assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
  assert.equal(err.status, status);
  return true;
}

for (const target of databaseTargets()) {
  describe(`guilty management (${target.name})`, () => {
    test('hides a guilty, lists it as hidden, and shows it again', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const { guiltyId } = await storeAppliedCrash(db);
      assert.equal((await setGuiltyHidden(db.pool, guiltyId, true)).hide, true);
      assert.deepEqual((await listHiddenGuilties(db.pool)).map((g) => g.id), [guiltyId]);
      assert.equal((await setGuiltyHidden(db.pool, guiltyId, false)).hide, false);
      assert.deepEqual(await listHiddenGuilties(db.pool), []);
    });

    test('sets a comment of up to 80 characters and clears it with an empty one', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const { guiltyId } = await storeAppliedCrash(db);
      assert.equal((await setGuiltyComment(db.pool, guiltyId, 'known, fixed in 31010')).comment, 'known, fixed in 31010');
      const eighty = 'é'.repeat(79) + '🙂';
      assert.equal((await setGuiltyComment(db.pool, guiltyId, eighty)).comment, eighty);
      assert.equal((await setGuiltyComment(db.pool, guiltyId, '')).comment, null);
      assert.equal((await setGuiltyComment(db.pool, guiltyId, null)).comment, null);
    });

    test('rejects a comment of 81 characters with a 400 and keeps the old one', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const { guiltyId } = await storeAppliedCrash(db);
      await setGuiltyComment(db.pool, guiltyId, 'kept');
      await assert.rejects(setGuiltyComment(db.pool, guiltyId, 'x'.repeat(81)), (err) => {
        assertAppError(err, CommentTooLongError, 400);
        assert.equal((err as AppError).code, 'BODY_INVALID');
        assert.equal((err as AppError).details?.[0]?.field, 'comment');
        return true;
      });
      assert.equal((await findGuiltyById(db.pool, guiltyId))?.comment, 'kept');
    });

    test('answers 404 for a guilty that does not exist, whatever the id', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      for (const id of [1, 0, -5, 2 ** 40, 1.5]) {
        await assert.rejects(setGuiltyHidden(db.pool, id, true), (err) => assertAppError(err, GuiltyNotFoundError, 404));
        await assert.rejects(setGuiltyComment(db.pool, id, 'x'), (err) => assertAppError(err, GuiltyNotFoundError, 404));
      }
    });

    test('adds a blacklist entry once, queueing one reprocess job', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const first = await addBlacklistEntry(db.pool, { function: 'std::abort()', module: 'libc.so.6' });
      const again = await addBlacklistEntry(db.pool, { function: 'std::abort()', module: 'libc.so.6' });
      assert.equal(first.changed, true);
      assert.ok(first.job);
      assert.equal(again.changed, false);
      assert.equal(again.job, null);
      assert.equal(again.entry.id, first.entry.id);
      assert.deepEqual(await listBlacklistEntries(db.pool), [first.entry]);
      assert.equal((await listReprocessJobs(db.pool, 10)).length, 1);
    });

    test('adds the same entry from many callers at once without an error', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const results = await Promise.all(Array.from({ length: 8 }, () => addBlacklistEntry(db.pool, { function: 'raise()', module: 'libc.so.6' })));
      assert.equal(results.filter((r) => r.changed).length, 1);
      assert.equal(new Set(results.map((r) => r.entry.id)).size, 1);
    });

    test('rejects an entry without a function', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      await assert.rejects(addBlacklistEntry(db.pool, { function: '', module: 'libc.so.6' }), (err) => assertAppError(err, BlacklistEntryInvalidError, 400));
    });

    test('removes a blacklist entry by id, C++ names with :: included, and answers 404 the second time', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const { entry } = await addBlacklistEntry(db.pool, { function: 'media::Decoder::decode()', module: 'libmedia.so:3' });
      const removed = await removeBlacklistEntry(db.pool, entry.id);
      assert.deepEqual(removed.entry, entry);
      assert.ok(removed.job);
      assert.deepEqual(await listBlacklistEntries(db.pool), []);
      await assert.rejects(removeBlacklistEntry(db.pool, entry.id), (err) => assertAppError(err, BlacklistEntryNotFoundError, 404));
    });

    test('applies the current blacklist to one record at once and returns its new guilty', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const { recordId, guiltyId } = await storeAppliedCrash(db);
      await setGuiltyComment(db.pool, guiltyId, 'the parser');
      await addBlacklistEntry(db.pool, { function: 'parse_item()', module: '/usr/bin/exampled' });
      const applied = await applyToRecord(db.pool, recordId, ANALYSIS_OPTIONS);
      assert.equal(applied.guilty?.function, 'handle_request()');
      assert.equal(applied.guilty?.module, '/usr/bin/exampled');
      assert.equal((await findCrashAnalysis(db.pool, recordId))?.guiltyId, applied.guilty?.id);
      // Guilty rows are never deleted: the old one keeps its comment.
      assert.equal((await findGuiltyById(db.pool, guiltyId))?.comment, 'the parser');
    });

    test('applies to a record without guilty and stores it processed with no guilty', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const [recordId] = await storeRecords(db.pool, [{ payload: '' }]);
      const applied = await applyToRecord(db.pool, recordId as number, ANALYSIS_OPTIONS);
      assert.deepEqual(applied, { recordId, guilty: null, signature: null });
      assert.equal((await findCrashAnalysis(db.pool, recordId as number))?.guiltyId, null);
    });

    test('answers 404 when applying to a missing record or one of another class', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      const [other] = await storeRecords(db.pool, [{ classification: 'org.clearlinux/hello/world', payload: readCrashFixture('crash-clr-spec-example.txt') }]);
      for (const id of [other as number, 999_999, 0, 2 ** 60]) {
        await assert.rejects(applyToRecord(db.pool, id, ANALYSIS_OPTIONS), (err) => assertAppError(err, CrashRecordNotFoundError, 404));
      }
    });

    test('keeps C++ names mangled in guilties and the payload as sent (demangling is for display)', async (t) => {
      const db = await createTestDatabase(target);
      t.after(() => db.drop());
      await addBlacklistEntry(db.pool, { function: 'raise()', module: 'libc.so.6' });
      await addBlacklistEntry(db.pool, { function: 'abort()', module: 'libc.so.6' });
      const payload = readCrashFixture('crash-clr-cxx-abort.txt');
      const [recordId] = await storeRecords(db.pool, [{ payload }]);
      const applied = await applyToRecord(db.pool, recordId as number, ANALYSIS_OPTIONS);
      assert.equal(applied.guilty?.function, '_ZN9__gnu_cxx27__verbose_terminate_handlerEv()');
      const stored = await db.pool.query<{ payload: string }>('SELECT payload FROM records WHERE id = $1', [recordId]);
      assert.equal(stored.rows[0]?.payload, payload);
    });
  });
}
