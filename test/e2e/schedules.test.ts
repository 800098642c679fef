import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { stringify } from 'yaml';
import { managedScheduleIds } from '../../src/schedules';
import type { ScheduleChange, ScheduleListing, ScheduleView } from '../../src/schedules';
import type { StoredPipelineResult } from '../../src/results';
import { quickWait, sampleInvoices } from '../helpers/aihub-fixtures';
import { startPipelineEnv, uniqueId } from '../helpers/pipeline-env';
import type { PipelineEnv } from '../helpers/pipeline-env';
import { pollUntil } from '../helpers/waiting';
import { runCli } from '../helpers/cli';
import type { CliOutcome } from '../helpers/cli';

const inbox = 'acme/Claims/fs/Instabase Drive/inbox';

/** The date of `instant` in `timeZone`, computed here independently of hubrun's code. */
function dateIn(instant: Date, timeZone: string): string {
  return instant.toLocaleDateString('sv-SE', { timeZone });
}

describe('schedules declared in a YAML file start pipelines with the date filled in', () => {
  let env: PipelineEnv;
  let worker: Worker;
  let running: Promise<void>;
  let dir: string;

  before(async () => {
    env = await startPipelineEnv();
    worker = await env.createWorker();
    running = worker.run();
    dir = await mkdtemp(join(tmpdir(), 'hubrun-schedules-'));
  });
  after(async () => {
    worker.shutdown();
    await running;
    await env.close();
  });

  function hubrun(...args: string[]): Promise<CliOutcome> {
    return runCli(args, {
      TEMPORAL_ADDRESS: env.temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      HUBRUN_TASK_QUEUE: env.taskQueue,
    });
  }

  async function ok(...args: string[]): Promise<string> {
    const result = await hubrun(...args);
    assert.equal(result.code, 0, `hubrun ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  }

  /** Writes a schedules file of `set` (each test has sets of its own, so none deletes another's). */
  async function writeSchedules(name: string, schedules: unknown[], set: string = name): Promise<string> {
    const path = join(dir, `${name}.yaml`);
    await writeFile(path, stringify({ set, schedules }));
    return path;
  }

  async function apply(path: string): Promise<ScheduleChange[]> {
    return JSON.parse(await ok('schedule', 'apply', path, '--json')) as ScheduleChange[];
  }

  const describeSchedule = (id: string) => env.client.schedule.getHandle(id).describe();

  /** Seeds a drive folder per date so pipelines over `<folder>/{date}` find files. */
  async function seedFolders(folder: string, dates: string[]): Promise<void> {
    for (const date of dates) {
      for (const [name, text] of Object.entries(sampleInvoices(2))) {
        await env.admin.putDriveFile(`${folder}/${date}/${name}`, text);
      }
    }
  }

  const entry = (id: string, overrides: Record<string, unknown> = {}) => ({
    id,
    cron: '0 2 * * *',
    timeZone: 'Europe/Berlin',
    input: { appName: 'invoices', appOwner: 'acme', inputDir: `${inbox}/${id}/{date}`, wait: quickWait },
    ...overrides,
  });

  it('apply creates, a second apply changes nothing, an edit updates and a removal deletes', async () => {
    const foreign = uniqueId('foreign');
    await env.client.schedule.create({
      scheduleId: foreign,
      spec: { cronExpressions: ['0 5 * * *'] },
      action: {
        type: 'startWorkflow',
        workflowType: 'aihubRunPipeline',
        taskQueue: env.taskQueue,
        args: [{}],
      },
      state: { paused: true },
    });
    const a = uniqueId('nightly-a');
    const b = uniqueId('nightly-b');
    const set = uniqueId('nightly');
    const both = [
      entry(a),
      entry(b, { cron: undefined, calendar: { hour: 3, minute: 15 }, timeZone: 'UTC' }),
    ];

    const first = await apply(await writeSchedules('first', both, set));
    assert.deepEqual(
      first.map((c) => [c.id, c.change]),
      [
        [a, 'created'],
        [b, 'created'],
      ],
    );
    const created = await describeSchedule(a);
    assert.equal(created.spec.timezone, 'Europe/Berlin');
    assert.equal(created.action.type === 'startWorkflow' && created.action.workflowType, 'aihubRunPipeline');
    assert.equal(created.action.taskQueue, env.taskQueue);
    assert.deepEqual(created.action.args, [{ ...entry(a).input, dateTimeZone: 'Europe/Berlin' }]);

    const again = await ok('schedule', 'apply', await writeSchedules('again', both, set));
    assert.deepEqual(again.trim().split('\n'), [`unchanged  ${a}`, `unchanged  ${b}`]);
    assert.deepEqual(
      (await describeSchedule(a)).info.lastUpdatedAt,
      created.info.lastUpdatedAt,
      'no update was sent',
    );

    const edited = [
      entry(a, { cron: '30 4 * * *', input: { ...entry(a).input, tags: ['nightly'] } }),
      both[1],
    ];
    const editedPath = await writeSchedules('edited', edited, set);
    const dryRun = await ok('schedule', 'apply', editedPath, '--dry-run');
    assert.deepEqual(dryRun.trim().split('\n'), [`would be updated ${a} (cron, input)`, `unchanged  ${b}`]);
    assert.deepEqual(
      (await describeSchedule(a)).info.lastUpdatedAt,
      created.info.lastUpdatedAt,
      'a dry run changes nothing',
    );
    const third = await apply(editedPath);
    assert.deepEqual(
      third.map((c) => [c.id, c.change, c.fields]),
      [
        [a, 'updated', ['cron', 'input']],
        [b, 'unchanged', []],
      ],
    );
    const updated = await describeSchedule(a);
    assert.deepEqual(
      updated.spec.calendars?.map((c) => [c.hour, c.minute]),
      [[[{ start: 4, end: 4, step: 1 }], [{ start: 30, end: 30, step: 1 }]]],
    );
    assert.deepEqual((updated.action.args?.[0] as { tags?: string[] }).tags, ['nightly']);

    // Deletion finds hubrun's schedules through the (eventually consistent) list.
    await pollUntil('both schedules listed', async () => {
      const ids = await managedScheduleIds(env.client);
      return ids.includes(a) && ids.includes(b) ? true : undefined;
    });
    const fourth = await apply(await writeSchedules('removed', [edited[0]], set));
    assert.deepEqual(
      fourth.map((c) => [c.id, c.change]),
      [
        [a, 'unchanged'],
        [b, 'deleted'],
      ],
    );
    await assert.rejects(describeSchedule(b), ScheduleNotFoundError);
    assert.equal(
      (await describeSchedule(foreign)).state.paused,
      true,
      'a schedule hubrun did not create is left alone',
    );
    await env.client.schedule.getHandle(foreign).delete();
  });

  it("two files of different sets share a namespace: applying one never touches the other's schedules", async () => {
    const teamA = uniqueId('team-a');
    const teamB = uniqueId('team-b');
    const [a1, a2, b1] = [uniqueId('a1'), uniqueId('a2'), uniqueId('b1')];
    const listed = (...ids: string[]) =>
      pollUntil(`${ids.join(', ')} listed`, async () => {
        const all = await managedScheduleIds(env.client);
        return ids.every((id) => all.includes(id)) ? true : undefined;
      });

    const fileA = await writeSchedules('team-a', [entry(a1), entry(a2)], teamA);
    assert.deepEqual(
      (await apply(fileA)).map((c) => [c.id, c.change]),
      [
        [a1, 'created'],
        [a2, 'created'],
      ],
    );
    // Deletion works from the (eventually consistent) list: wait until A's schedules are in it.
    await listed(a1, a2);
    const fileB = await writeSchedules('team-b', [entry(b1)], teamB);
    assert.deepEqual(
      (await apply(fileB)).map((c) => [c.id, c.change]),
      [[b1, 'created']],
    );
    await listed(b1);
    assert.deepEqual(
      (await apply(fileA)).map((c) => [c.id, c.change]),
      [
        [a1, 'unchanged'],
        [a2, 'unchanged'],
      ],
    );

    const fewerA = await writeSchedules('team-a-fewer', [entry(a1)], teamA);
    assert.deepEqual(
      (await apply(fewerA)).map((c) => [c.id, c.change]),
      [
        [a1, 'unchanged'],
        [a2, 'deleted'],
      ],
    );
    await assert.rejects(describeSchedule(a2), ScheduleNotFoundError);
    assert.equal((await describeSchedule(b1)).memo?.hubrunSet, teamB, "B's schedule is untouched");
    assert.deepEqual(
      (await apply(fileB)).map((c) => [c.id, c.change]),
      [[b1, 'unchanged']],
    );
    assert.equal((await describeSchedule(a1)).memo?.hubrunSet, teamA, "A's schedule is untouched");

    // An entry whose id another set holds stops the apply, naming that set; nothing changes.
    const b2 = uniqueId('b2');
    const grabbing = await writeSchedules('team-b-grab', [entry(b1), entry(b2), entry(a1)], teamB);
    const refused = await hubrun('schedule', 'apply', grabbing);
    assert.equal(refused.code, 1, refused.stderr);
    assert.ok(refused.stderr.includes(`${a1} belongs to set ${teamA}`), refused.stderr);
    assert.match(refused.stderr, /nothing applied/);
    await assert.rejects(describeSchedule(b2), ScheduleNotFoundError);
    assert.equal((await describeSchedule(a1)).memo?.hubrunSet, teamA);

    const listings = await pollUntil('the sets listed', async () => {
      const all = JSON.parse(await ok('schedule', 'list', '--json')) as ScheduleListing[];
      const mine = all.filter((l) => [a1, b1].includes(l.id));
      return mine.length === 2 ? mine : undefined;
    });
    assert.deepEqual(
      listings.map((l) => [l.id, l.set]),
      [
        [a1, teamA],
        [b1, teamB],
      ],
    );
    assert.match(await ok('schedule', 'list'), new RegExp(`${a1}\\s+${teamA}`));

    await apply(await writeSchedules('team-a-empty', [], teamA));
    await apply(await writeSchedules('team-b-empty', [], teamB));
    await assert.rejects(describeSchedule(a1), ScheduleNotFoundError);
    await assert.rejects(describeSchedule(b1), ScheduleNotFoundError);
  });

  it('schedules of an earlier hubrun (no set) are never deleted, and a file that lists one adopts it', async () => {
    const legacy = uniqueId('legacy');
    const kept = uniqueId('legacy-kept');
    for (const id of [legacy, kept]) {
      // What `schedule apply` created before schedules had sets: memo { hubrun: true } only.
      await env.client.schedule.create({
        scheduleId: id,
        spec: { cronExpressions: ['0 2 * * *'], timezone: 'Europe/Berlin' },
        action: {
          type: 'startWorkflow',
          workflowType: 'aihubRunPipeline',
          taskQueue: env.taskQueue,
          workflowId: id,
          args: [{ ...entry(id).input, dateTimeZone: 'Europe/Berlin' }],
        },
        memo: { hubrun: true },
      });
    }
    const set = uniqueId('upgraded');
    const other = uniqueId('other');
    await pollUntil('the earlier schedules listed', async () => {
      const all = await managedScheduleIds(env.client);
      return all.includes(legacy) && all.includes(kept) ? true : undefined;
    });
    assert.deepEqual(
      (await apply(await writeSchedules('upgraded', [entry(other)], set))).map((c) => [c.id, c.change]),
      [[other, 'created']],
    );
    assert.deepEqual(
      (await apply(await writeSchedules('upgraded-adopts', [entry(other), entry(legacy)], set))).map((c) => [
        c.id,
        c.change,
      ]),
      [
        [other, 'unchanged'],
        [legacy, 'adopted'],
      ],
    );
    const adopted = await describeSchedule(legacy);
    assert.equal(adopted.memo?.hubrunSet, set);
    assert.equal(adopted.spec.timezone, 'Europe/Berlin');
    await pollUntil('the set listed, the adopted schedule in it', async () => {
      const all = JSON.parse(await ok('schedule', 'list', '--json')) as ScheduleListing[];
      const inSet = all.filter((l) => l.set === set).map((l) => l.id);
      return inSet.includes(legacy) && inSet.includes(other) ? true : undefined;
    });
    assert.deepEqual(
      (await apply(await writeSchedules('upgraded-empty', [], set))).map((c) => [c.id, c.change]),
      [
        [legacy, 'deleted'],
        [other, 'deleted'],
      ],
    );
    assert.equal((await describeSchedule(kept)).memo?.hubrun, true, 'a schedule of no set is left alone');
    await env.client.schedule.getHandle(kept).delete();
  });

  it('a bad file is rejected whole, every problem named, and nothing is applied', async () => {
    const good = uniqueId('good');
    const path = await writeSchedules('bad', [
      entry(good),
      entry('bad-cron', { cron: '0 25 * * *' }),
      { ...entry('unknown-field'), retries: 3 },
      entry('twice'),
      entry('twice'),
      entry('bad-zone', { timeZone: 'Europe/Berlinn' }),
    ]);
    const result = await hubrun('schedule', 'apply', path);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    for (const problem of [
      'entry bad-cron: cron: hour "25"',
      'entry unknown-field: retries: unknown field',
      'entry twice (#5): id: also the id of entry #4',
      'entry bad-zone: timeZone: not an IANA time zone',
      'nothing applied',
    ]) {
      assert.ok(result.stderr.includes(problem), `stderr names "${problem}":\n${result.stderr}`);
    }
    await assert.rejects(describeSchedule(good), ScheduleNotFoundError);
  });

  it('trigger starts a pipeline over the folder of the action date in the schedule time zone', async () => {
    const id = uniqueId('trigger');
    // UTC+14: most of the day its date is not UTC's, so the zone visibly matters.
    const timeZone = 'Pacific/Kiritimati';
    const now = Date.now();
    await seedFolders(
      `${inbox}/${id}`,
      [-1, 0, 1].map((days) => dateIn(new Date(now + days * 86_400_000), timeZone)),
    );
    await apply(await writeSchedules('trigger', [entry(id, { timeZone })]));

    const { workflowId } = JSON.parse(await ok('schedule', 'trigger', id, '--json')) as {
      workflowId: string;
    };
    assert.ok(workflowId.startsWith(`${id}-`), workflowId);
    const handle = env.client.workflow.getHandle(workflowId);
    const result = (await handle.result()) as StoredPipelineResult;
    assert.equal(result.status, 'COMPLETED');
    assert.equal(result.files, 2);

    const described = await handle.describe();
    const actionTime = described.searchAttributes.TemporalScheduledStartTime?.[0] as Date;
    const date = dateIn(new Date(actionTime), timeZone);
    const run = (await env.admin.runs()).find((r) => r.id === result.runId);
    assert.equal(run?.inputDir, `${inbox}/${id}/${date}`);
    assert.deepEqual(described.memo?.datedInput, { date, inputDir: `${inbox}/${id}/${date}` });
  });

  it('backfill over three days starts three pipelines, one per date', async () => {
    const id = uniqueId('backfill');
    const dates = ['2026-11-01', '2026-11-02', '2026-11-03'];
    await seedFolders(`${inbox}/${id}`, dates);
    await apply(await writeSchedules('backfill', [entry(id)]));

    const range = JSON.parse(
      await ok('schedule', 'backfill', id, '--from', dates[0]!, '--to', dates[2]!, '--json'),
    ) as { start: string; end: string };
    assert.deepEqual(range, {
      scheduleId: id,
      start: '2026-10-31T22:59:59.999Z', // midnight in Berlin (UTC+1), less 1 ms
      end: '2026-11-03T22:59:59.999Z',
    });

    const actions = await pollUntil(
      'three backfilled actions',
      async () => {
        const recent = (await describeSchedule(id)).info.recentActions;
        return recent.length >= 3 ? recent : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    assert.deepEqual(
      actions.map((a) => a.scheduledAt.toISOString()),
      ['2026-11-01T01:00:00.000Z', '2026-11-02T01:00:00.000Z', '2026-11-03T01:00:00.000Z'],
    );
    const results = await Promise.all(
      actions.map(
        (a) =>
          env.client.workflow
            .getHandle(a.action.workflow.workflowId)
            .result() as Promise<StoredPipelineResult>,
      ),
    );
    const runs = await env.admin.runs();
    assert.deepEqual(
      results.map((r) => runs.find((run) => run.id === r.runId)?.inputDir),
      dates.map((date) => `${inbox}/${id}/${date}`),
    );
  });

  it('list, describe, pause, unpause and delete act on hubrun schedules and refuse bad usage', async () => {
    const id = uniqueId('ops');
    await apply(await writeSchedules('ops', [entry(id, { note: 'ops test' })]));

    const listed = await pollUntil('the schedule listed', async () => {
      const listings = JSON.parse(await ok('schedule', 'list', '--json')) as ScheduleListing[];
      return listings.find((l) => l.id === id);
    });
    assert.equal(listed.managed, true);
    assert.equal(listed.paused, false);

    const view = JSON.parse(await ok('schedule', 'describe', id, '--json')) as ScheduleView;
    assert.deepEqual([view.cron, view.timeZone, view.overlap], [['0 2 * * *'], 'Europe/Berlin', 'skip']);
    assert.equal(view.catchupWindowSeconds, 86_400);
    assert.deepEqual(view.input, { ...entry(id).input, dateTimeZone: 'Europe/Berlin' });
    assert.match(await ok('schedule', 'describe', id), /cron 0 2 \* \* \* in Europe\/Berlin/);

    assert.equal((await ok('schedule', 'pause', id, '--note', 'inbox migration')).trim(), `paused ${id}`);
    assert.deepEqual((await describeSchedule(id)).state, {
      paused: true,
      note: 'inbox migration',
      remainingActions: undefined,
    });
    await ok('schedule', 'unpause', id);
    assert.equal((await describeSchedule(id)).state.paused, false);

    const missing = await hubrun('schedule', 'describe', 'no-such-schedule');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no schedule "no-such-schedule"/);
    const badRange = await hubrun('schedule', 'backfill', id, '--from', 'yesterday', '--to', '2026-11-03');
    assert.equal(badRange.code, 2);
    assert.match(badRange.stderr, /--from "yesterday": expected a day/);
    const badOverlap = await hubrun('schedule', 'trigger', id, '--overlap', 'sometimes');
    assert.equal(badOverlap.code, 2);

    assert.equal((await ok('schedule', 'delete', id)).trim(), `deleted ${id}`);
    await assert.rejects(describeSchedule(id), ScheduleNotFoundError);
  });

  it('a pipeline started directly fills {date} from its own start time', async () => {
    const id = uniqueId('direct');
    const now = Date.now();
    await seedFolders(
      `${inbox}/${id}`,
      [-1, 0, 1].map((days) => dateIn(new Date(now + days * 86_400_000), 'UTC')),
    );
    const handle = await env.start({
      workflowId: id,
      appName: 'invoices',
      inputDir: `${inbox}/${id}/{date}`,
      wait: quickWait,
    });
    const result = await handle.result();
    const date = dateIn((await handle.describe()).startTime, 'UTC');
    const run = (await env.admin.runs()).find((r) => r.id === result.runId);
    assert.equal(run?.inputDir, `${inbox}/${id}/${date}`);
  });
});
