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

/** Body of `PUT /_emulator/quota`: consumption units left, null for unlimited. */
export const QuotaSchema = z.object({ remainingUnits: z.number().int().min(0).nullable() });
export type Quota = z.infer<typeof QuotaSchema>;
