import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { filesPagedOf, freshCheckpoint } from '../../src/activities/paging-checkpoint';

void describe('filesPagedOf', () => {
  void it('reads the files paged from a fetchResults heartbeat', () => {
    const checkpoint = {
      ...freshCheckpoint(2),
      counts: { files: 7, documents: 9, fields: 30, fieldErrors: 1 },
    };
    assert.equal(filesPagedOf(defaultPayloadConverter.toPayload(checkpoint)), 7);
  });

  void it('answers null for no heartbeat, or one without counts', () => {
    assert.equal(filesPagedOf(undefined), null);
    assert.equal(filesPagedOf(defaultPayloadConverter.toPayload({ something: 'else' })), null);
  });
});
