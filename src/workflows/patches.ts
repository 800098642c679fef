/**
 * Patch ids of the pipeline workflow's changes since its first release, other than the input
 * check's (`legacy-input-check.ts`). Each guards, with `patched`, commands that differ from what
 * earlier code issued, so pipelines started before an upgrade replay and finish after it; the
 * histories each earlier code recorded are kept in `test/fixtures/histories/<change>/`.
 */

/**
 * Pipelines that fill `{date}` in their input-check local activity (not with `Intl` inside the
 * sandbox), count the processing deadline over processing time only, and give each review
 * checkpoint a review deadline of its own.
 */
export const HARDENED_WAIT_PATCH = 'dated-check-and-stage-deadlines';
