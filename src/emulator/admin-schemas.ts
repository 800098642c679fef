/** zod schemas of the admin surface's request bodies (fault rules live in `faults.ts`). */
import { z } from 'zod';
import type { AppBehaviour, DeploymentBehaviour } from './types';

/** One app behaviour, as `PUT /_emulator/apps` takes it. */
export const AppBehaviourSchema: z.ZodType<AppBehaviour> = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  owner: z.string().min(1).optional(),
  fields: z.array(z.string().min(1)),
  msPerFile: z.number().min(0).optional(),
  checksToComplete: z.number().int().min(0).optional(),
  durations: z
    .object({
      medianMs: z.number().positive(),
      cv: z.number().min(0).max(5),
      perFileMs: z.number().min(0).optional(),
    })
    .optional(),
  webhook: z.object({ url: z.url(), headers: z.record(z.string(), z.string()).optional() }).optional(),
  errorFieldRatio: z.number().min(0).max(1).optional(),
  review: z
    .object({
      autoCompleteMs: z.number().min(0).optional(),
      afterReviewMs: z.number().min(0).optional(),
      checkpoints: z.number().int().min(1).optional(),
    })
    .optional(),
  fail: z.string().optional(),
  cancel: z.boolean().optional(),
});

/** One deployment, as `PUT /_emulator/deployments` takes it. */
export const DeploymentBehaviourSchema: z.ZodType<DeploymentBehaviour> = z.object({
  id: z.string().min(1),
  appId: z.string().min(1),
});

/** Body of `POST /_emulator/apps/:appId/history`: finished runs to add in the past. */
export const SeedHistorySchema = z.object({
  /** How many runs; their durations are drawn from the app's `durations` (or its clock mode). */
  count: z.number().int().min(1).max(1000).optional(),
  /** The runs' durations in ms, one run each (instead of `count` draws). */
  durationsMs: z.array(z.number().positive()).max(1000).optional(),
  /** Runs of this deployment (of the app). */
  deploymentId: z.string().min(1).optional(),
  /** Time between the finishes of consecutive past runs, newest finishing `spacingMs` ago. @default 600000 */
  spacingMs: z.number().positive().optional(),
});
export type SeedHistory = z.infer<typeof SeedHistorySchema>;

/** Body of `PUT /_emulator/quota`: consumption units left, null for unlimited. */
export const QuotaSchema = z.object({ remainingUnits: z.number().int().min(0).nullable() });
export type Quota = z.infer<typeof QuotaSchema>;
