import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkPipelineInput } from '../../src/pipeline-input';
import {
  compileSchedule,
  fillNominalDate,
  nominalDate,
  parseBackfillRange,
  parseScheduleFile,
  ScheduleFileError,
} from '../../src/schedules';
import { cronProblems } from '../../src/schedules/cron';

const example = join(__dirname, '..', '..', 'examples', 'schedules.yaml');

function problemsOf(text: string): string[] {
  try {
    parseScheduleFile(text, 'test.yaml');
  } catch (err) {
    assert.ok(err instanceof ScheduleFileError);
    return err.problems;
  }
  assert.fail('the file was accepted');
}

const goodEntry = `
  - id: nightly
    cron: '0 2 * * *'
    timeZone: Europe/Berlin
    input: { appName: invoices, inputDir: 'acme/Claims/fs/Instabase Drive/inbox/{date}' }`;

describe('the schedules file', () => {
  it('examples/schedules.yaml is valid, with the documented defaults', async () => {
    const file = parseScheduleFile(await readFile(example, 'utf8'), example);
    assert.equal(file.set, 'invoices');
    assert.equal(file.schedules.length, 1);
    const [nightly] = file.schedules;
    assert.deepEqual(nightly?.cron, ['0 2 * * *']);
    assert.equal(nightly?.timeZone, 'Europe/Berlin');
    assert.equal(nightly?.input?.inputDir, 'acme/Claims/fs/Instabase Drive/inbox/{date}');
    assert.equal(nightly?.catchupWindow, 86_400_000);
  });

  it('fills defaults: overlap skip, catch-up window 1d, not paused, no pause on failure', () => {
    const [entry] = parseScheduleFile(`set: team\nschedules:${goodEntry}`, 't').schedules;
    assert.deepEqual(
      [entry?.overlap, entry?.catchupWindow, entry?.paused, entry?.pauseOnFailure],
      ['skip', 86_400_000, false, false],
    );
  });

  it('rejects the whole file, naming every entry and field at fault', () => {
    const problems = problemsOf(`set: team
schedules:${goodEntry}
  - id: broken
    cron: ['0 2 * * *', '0 2 * *']
    timeZone: Europe/Berlinn
    overlap: sometimes
    catchupWindow: 2 weeks
    retries: 3
    input: { appName: invoices, batchId: 1, inputDir: x, workflowId: w }
  - cron: '@daily'
    timeZone: UTC
    input: { appId: a, batchId: 1 }
  - id: nightly
    calendar: { hour: 2, dayOfWeek: FUNDAY }
    timeZone: UTC
    input: { appId: a, batchId: 1, tags: ['${'t'.repeat(450)}{date}'] }
`);
    assert.deepEqual(problems, [
      'entry broken: cron.1: has 4 fields; give 5 (minute hour day-of-month month day-of-week), 6 (… year) or 7 (second … year)',
      'entry broken: timeZone: not an IANA time zone (e.g. Europe/Berlin, UTC)',
      'entry broken: overlap: Invalid option: expected one of "skip"|"buffer_one"|"buffer_all"|"cancel_other"|"terminate_other"|"allow_all"',
      'entry broken: catchupWindow: expected a duration such as 30m, 12h or 1d',
      'entry broken: retries: unknown field',
      'entry broken: input.workflowId: set by the schedule (the entry id plus the action time)',
      'entry broken: input.batchId: give exactly one of batchId, inputDir or files (got 2)',
      'entry #3: id: Invalid input: expected string, received undefined',
      'entry nightly (#4): calendar.dayOfWeek: expected *, a day name (SUNDAY…SATURDAY), a {start, end, step} range, or a list of them',
      "entry nightly (#4): input.tags: tags hold 460 characters; at most 457 are left beside hubrun's own tag",
      'entry nightly (#4): id: also the id of entry #1; ids must be unique',
    ]);
  });

  it('names YAML syntax errors and a wrong top level', () => {
    assert.match(
      problemsOf('schedules:\n  - id: a\n    id: b\n')[0] ?? '',
      /^Map keys must be unique at line 3/,
    );
    assert.deepEqual(problemsOf('- id: a\n'), ['expected a mapping with a schedules list']);
    assert.deepEqual(problemsOf('set: team\nschedules: []\ndefaults: {}\n'), [
      'defaults: unknown field (the file holds two keys, set and schedules)',
    ]);
  });

  it('names the set the file owns, and still checks every entry without one', () => {
    assert.equal(
      parseScheduleFile(`set: team-a.nightly_2\nschedules:${goodEntry}`, 't').set,
      'team-a.nightly_2',
    );
    assert.deepEqual(problemsOf(`schedules:${goodEntry.replace('Europe/Berlin', 'Mars/Olympus')}`), [
      'set: give the name of the schedules this file owns, e.g. set: invoices-team',
      'entry nightly: timeZone: not an IANA time zone (e.g. Europe/Berlin, UTC)',
    ]);
    for (const bad of ['""', "'-team'", "'team a'", "'a/b'", 'x'.repeat(101), '[a]']) {
      assert.equal(problemsOf(`set: ${bad}\nschedules: []`).length, 1, bad);
    }
  });

  it('an entry without cron or calendar is refused', () => {
    const problems = problemsOf(`set: team
schedules:
  - id: never
    timeZone: UTC
    input: { appId: a, batchId: 1 }`);
    assert.deepEqual(problems, ['entry never: cron: give cron or calendar (or both)']);
  });
});

describe('cron expressions', () => {
  it('accepts what Temporal accepts', () => {
    for (const cron of [
      '0 2 * * *',
      '*/15 * * * *',
      '0 9-17/2 * * MON-FRI',
      '30 6 1,15 JAN,jul *',
      '0 0 * * 7',
      '0 12 * * * 2027',
      '0 0 12 * * * *',
      '@daily',
      '@every 90m',
      '@every 1h/15m',
    ]) {
      assert.deepEqual(cronProblems(cron), [], cron);
    }
  });

  it('names the field at fault', () => {
    assert.deepEqual(cronProblems('0 24 * * *'), [
      'hour "24": expected *, a number from 0 to 23, or a range of them',
    ]);
    assert.deepEqual(cronProblems('0 2 * * FRI-MON'), [
      'day of week "FRI-MON": a range must not end before it starts',
    ]);
    assert.deepEqual(cronProblems('CRON_TZ=UTC 0 2 * * *'), [
      'put the time zone in timeZone, not in the expression',
    ]);
    assert.deepEqual(cronProblems('0 2 L * *'), [
      'day of month "L": expected *, a number from 1 to 31, or a range of them',
    ]);
    assert.equal(cronProblems('@nightly').length, 1);
  });
});

describe('the {date} placeholder', () => {
  it('is the calendar date in the given time zone', () => {
    const lateEvening = new Date('2026-11-28T23:30:00Z');
    assert.equal(nominalDate(lateEvening, 'UTC'), '2026-11-28');
    assert.equal(nominalDate(lateEvening, 'Europe/Berlin'), '2026-11-29');
    assert.equal(nominalDate(lateEvening, 'America/Los_Angeles'), '2026-11-28');
  });

  it('is filled in every path field and tag, and nowhere else', () => {
    const dated = fillNominalDate(
      {
        appName: 'app-{date}',
        inputDir: 'acme/ws/fs/Drive/{date}/in',
        outputDir: 'out/{date}',
        resultsDir: '/data/{date}',
        tags: ['nightly', 'day-{date}'],
        dateTimeZone: 'Asia/Tokyo',
      },
      new Date('2026-03-01T20:00:00Z'),
    );
    assert.equal(dated.date, '2026-03-02');
    assert.deepEqual(dated.input, {
      appName: 'app-{date}',
      inputDir: 'acme/ws/fs/Drive/2026-03-02/in',
      outputDir: 'out/2026-03-02',
      resultsDir: '/data/2026-03-02',
      tags: ['nightly', 'day-2026-03-02'],
      dateTimeZone: 'Asia/Tokyo',
    });
    assert.deepEqual(Object.keys(dated.filled), ['inputDir', 'outputDir', 'resultsDir', 'tags']);
  });

  it('leaves inputs without a placeholder, or with a bad time zone, as they are', () => {
    const plain = { appId: 'a', batchId: 3 };
    assert.deepEqual(fillNominalDate(plain, new Date()), { input: plain, date: null, filled: {} });
    const badZone = { appId: 'a', inputDir: 'x/{date}', dateTimeZone: 'Nowhere/Land' };
    assert.equal(fillNominalDate(badZone, new Date()).input, badZone);
    assert.deepEqual(checkPipelineInput(badZone), {
      ok: false,
      problems: ['dateTimeZone: not an IANA time zone (e.g. Europe/Berlin, UTC)'],
    });
  });
});

describe('backfill ranges', () => {
  it('reads days in the schedule time zone, the last day included', () => {
    const range = parseBackfillRange('2026-03-28', '2026-03-29', 'Europe/Berlin');
    assert.equal(range.start.toISOString(), '2026-03-27T22:59:59.999Z');
    // Clocks go forward on 29 March: that day ends at 22:00 UTC.
    assert.equal(range.end.toISOString(), '2026-03-29T21:59:59.999Z');
  });

  it('reads local times and instants', () => {
    const range = parseBackfillRange('2026-10-15T02:00', '2026-10-16T01:00:00Z', 'America/New_York');
    assert.equal(range.start.toISOString(), '2026-10-15T05:59:59.999Z'); // 02:00 EDT, less 1 ms
    assert.equal(range.end.toISOString(), '2026-10-16T01:00:00.000Z');
  });

  it('refuses unreadable or empty ranges, naming the flag', () => {
    assert.throws(() => parseBackfillRange('yesterday', '2026-11-01', 'UTC'), /--from "yesterday"/);
    assert.throws(() => parseBackfillRange('2026-11-01', '2026-02-30', 'UTC'), /--to "2026-02-30"/);
    assert.throws(() => parseBackfillRange('2026-11-03', '2026-11-01', 'UTC'), /must come after --from/);
  });
});

describe('compiled schedules', () => {
  const entryOf = (text: string) => parseScheduleFile(`set: team\nschedules:${text}`, 't').schedules[0]!;

  it('hash the same entry the same way, and tell which field changed', () => {
    const one = compileSchedule(entryOf(goodEntry), { taskQueue: 'q' }, 'team');
    const same = compileSchedule(entryOf(goodEntry), { taskQueue: 'q' }, 'team');
    const edited = compileSchedule(entryOf(goodEntry.replace('0 2', '0 3')), { taskQueue: 'q' }, 'team');
    assert.equal(one.memo.hash, same.memo.hash);
    assert.notEqual(one.memo.hash, edited.memo.hash);
    const changed = Object.keys(one.memo.fields).filter((k) => one.memo.fields[k] !== edited.memo.fields[k]);
    assert.deepEqual(changed, ['cron']);
    assert.notEqual(
      compileSchedule(entryOf(goodEntry), { taskQueue: 'other' }, 'team').memo.hash,
      one.memo.hash,
    );
  });

  it('start the pipeline workflow with the input and its time zone', () => {
    const { options } = compileSchedule(entryOf(goodEntry), { taskQueue: 'q' }, 'team');
    assert.equal(options.action.workflowType, 'aihubRunPipeline');
    assert.equal(options.action.workflowId, 'nightly');
    assert.deepEqual(options.action.args, [
      {
        appName: 'invoices',
        inputDir: 'acme/Claims/fs/Instabase Drive/inbox/{date}',
        dateTimeZone: 'Europe/Berlin',
      },
    ]);
    assert.deepEqual(options.spec, { cronExpressions: ['0 2 * * *'], timezone: 'Europe/Berlin' });
    assert.deepEqual(options.memo, { hubrun: true, hubrunSet: 'team' });
  });

  it('an audit entry starts the orphan audit over its window back from each action', () => {
    const entry = entryOf(`
  - id: nightly-audit
    kind: audit
    cron: '0 5 * * *'
    timeZone: UTC
    since: 2d
    delete: true`);
    const { options } = compileSchedule(entry, { taskQueue: 'q' }, 'team');
    assert.equal(options.action.workflowType, 'aihubAudit');
    assert.deepEqual(options.action.args, [{ windowSeconds: 172_800, delete: true }]);
    assert.equal(options.action.workflowId, 'nightly-audit');
  });

  it('a pipeline entry hashes as before kinds existed (kind: pipeline is the default)', () => {
    const implicit = compileSchedule(entryOf(goodEntry), { taskQueue: 'q' }, 'team');
    const explicit = compileSchedule(
      entryOf(goodEntry.replace('- id: nightly', '- id: nightly\n    kind: pipeline')),
      { taskQueue: 'q' },
      'team',
    );
    assert.equal(explicit.memo.hash, implicit.memo.hash);
    assert.equal(implicit.options.action.workflowType, 'aihubRunPipeline');
    assert.equal('kind' in implicit.memo.fields, false);
  });
});

describe('audit entries of the schedules file', () => {
  it('refuse input on an audit, audit fields on a pipeline, and a pipeline without input', () => {
    const problems = problemsOf(`set: team
schedules:
  - id: a
    kind: audit
    cron: '0 5 * * *'
    timeZone: UTC
    input: { appName: invoices, batchId: 1 }
  - id: b
    cron: '0 5 * * *'
    timeZone: UTC
    since: 2d
    input: { appName: invoices, batchId: 1 }
  - id: c
    cron: '0 5 * * *'
    timeZone: UTC
  - id: d
    kind: audit
    cron: '0 5 * * *'
    timeZone: UTC
    since: yesterday`);
    assert.ok(
      problems.some((p) => /^entry a: input: an audit takes since and delete/.test(p)),
      problems.join('\n'),
    );
    assert.ok(problems.includes('entry b: since: only for kind: audit'), problems.join('\n'));
    assert.ok(
      problems.some((p) => /^entry c: input: /.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /^entry d: since: expected a duration/.test(p)),
      problems.join('\n'),
    );
  });
});
