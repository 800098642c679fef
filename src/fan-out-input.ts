/**
 * The fan-out's input: one pipeline template and many inputs, each becoming a child pipeline.
 * Every child's input is checked with the pipeline's own schema before anything starts, so a bad
 * input names its position (`inputs.3.inputDir: ...`) and no child is half-started. Pure (no
 * I/O). The fan-out workflow checks its input through the `checkFanOutStart` local activity.
 */
import { z } from 'zod';
import { checkPipelineInput, describeIssue, WorkflowId } from './pipeline-input';
import { childInput } from './pipeline-names';
import type { PipelineInput } from './pipeline-input';
import type { ChildOutcome } from './results';

/** Most inputs one fan-out takes. */
export const MAX_FAN_OUT_INPUTS = 2_000;

/** Longest fan-out workflow id: room is left for the child suffix `-<n>`. */
const MAX_FAN_OUT_ID_CHARS = 190;

/** A fan-out's workflow id: a {@link WorkflowId} with room for the child suffix. */
const FanOutId = WorkflowId.refine((id) => id.length <= MAX_FAN_OUT_ID_CHARS, {
  message: `at most ${MAX_FAN_OUT_ID_CHARS} characters (children add a suffix)`,
});

/** One child's input: exactly one of a batch, a drive folder or local files. */
export const FanOutItem = z.union([
  z.object({ inputDir: z.string() }).strict(),
  z.object({ batchId: z.number() }).strict(),
  z.object({ files: z.array(z.string()) }).strict(),
]);
export type FanOutItem = z.infer<typeof FanOutItem>;

/** A fan-out: many pipelines from one template, `concurrency` at a time. */
export const FanOutInput = z
  .object({
    /** Business key of the fan-out; children are `<workflowId>-<n>` (n from 1). */
    workflowId: FanOutId.optional(),
    /**
     * Pipeline fields every child shares (app, AI Hub options, tags, wait policy, ...): a pipeline
     * input without its input (`batchId`, `inputDir`, `files`) and without `workflowId`.
     */
    template: z.record(z.string(), z.unknown()),
    /**
     * One entry per child pipeline. At most 2,000: the inputs left and every outcome so far are
     * carried through each continue-as-new, and must stay well inside Temporal's 2 MB payload
     * limit. Larger jobs are several fan-outs.
     */
    inputs: z.array(FanOutItem).min(1).max(MAX_FAN_OUT_INPUTS),
    /** Children running at once (a sliding window). @default 5 */
    concurrency: z.number().int().min(1).max(200).default(5),
    /**
     * Children one workflow run starts before it continues as new with the rest, which keeps each
     * run's history bounded. The window drains before each continue-as-new. @default 200
     */
    childrenPerRun: z.number().int().min(1).max(1000).default(200),
    /** Set by the fan-out itself when it continues as new: where the earlier runs got to. */
    carried: z
      .object({
        /** Index (in the original inputs) of `inputs[0]`. */
        offset: z.number().int().min(0),
        total: z.number().int().min(1),
        outcomes: z.array(z.custom<ChildOutcome>()),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    for (const field of ['batchId', 'inputDir', 'files', 'workflowId']) {
      if (field in input.template) {
        ctx.addIssue({
          code: 'custom',
          path: ['template', field],
          message:
            field === 'workflowId'
              ? 'children get their ids from the fan-out; give workflowId to the fan-out'
              : 'each child takes its input from inputs, not from the template',
        });
      }
    }
  });
export type FanOutInput = z.infer<typeof FanOutInput>;
/** A fan-out input as callers write it (defaults may be left out). */
export type FanOutInputDraft = z.input<typeof FanOutInput>;

/** A validated fan-out: its settings and every child's complete pipeline input. */
export interface CheckedFanOut {
  input: FanOutInput;
  children: PipelineInput[];
}

/** The fan-out's check: the parsed value, or one line per problem naming its field. */
export type FanOutCheck = { ok: true; fanOut: CheckedFanOut } | { ok: false; problems: string[] };

/**
 * Validates a fan-out and builds each child's pipeline input (template + item + child id);
 * `fanOutId` is the fan-out's workflow id, refused like `workflowId` when a service started the
 * fan-out under an id such as `../x`. Every child's problems are reported, under `inputs.<n>`
 * for the item's fields and `template` for the shared ones (once).
 */
export function checkFanOutInput(raw: unknown, fanOutId: string): FanOutCheck {
  const parsed = FanOutInput.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map(describeIssue) };
  const input = parsed.data;
  const badId = input.workflowId === fanOutId ? undefined : FanOutId.safeParse(fanOutId).error;
  if (badId !== undefined) {
    return {
      ok: false,
      problems: badId.issues.map((issue) => `workflowId: "${fanOutId}": ${issue.message}`),
    };
  }
  const offset = input.carried?.offset ?? 0;
  const problems = new Set<string>();
  const children: PipelineInput[] = [];
  input.inputs.forEach((item, i) => {
    const checked = checkPipelineInput(childInput(input.template, item, fanOutId, offset + i));
    if (checked.ok) {
      children.push(checked.input);
      return;
    }
    for (const problem of checked.problems) {
      const field = problem.split(/[.:]/)[0] ?? '';
      // A problem of the whole input (`input: unknown field(s) ...`) is the template's own.
      const own = field === 'input' ? `template${problem.slice(field.length)}` : `template.${problem}`;
      problems.add(field in item ? `inputs.${i}.${problem}` : own);
    }
  });
  if (problems.size > 0) return { ok: false, problems: [...problems] };
  return { ok: true, fanOut: { input, children } };
}

/** The fan-out workflow's check: its parsed settings (the workflow builds the children), or its problems. */
export type FanOutStartCheck = { ok: true; input: FanOutInput } | { ok: false; problems: string[] };

/**
 * The fan-out workflow's own check ({@link checkFanOutInput}), answering only the fan-out's
 * settings: the workflow builds each child's input itself with `childInput`, because all of
 * them together can be more than a history payload may hold.
 */
export function checkFanOutStart(raw: unknown, fanOutId: string): FanOutStartCheck {
  const checked = checkFanOutInput(raw, fanOutId);
  return checked.ok ? { ok: true, input: checked.fanOut.input } : checked;
}
