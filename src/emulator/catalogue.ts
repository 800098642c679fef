/**
 * The emulator's defaults: credentials it accepts, and the apps and deployments it knows unless
 * told otherwise.
 */
import type { AppBehaviour, DeploymentBehaviour } from './types';

/** The bearer token the emulator accepts by default. */
export const EMULATOR_DEFAULT_TOKEN = 'emulator-token';

/** The `IB-Context` value the emulator accepts by default (an absent header is always accepted). */
export const EMULATOR_DEFAULT_CONTEXT = 'acme';

/** The port `hubrun emulator` / `src/emulator/main.ts` listens on unless given `--port` (next to Temporal's 7233). */
export const EMULATOR_DEFAULT_PORT = 7243;

/** Fields every default invoice app extracts. */
const invoiceFields = ['invoice number', 'vendor', 'total', 'due date'];

/**
 * The default app catalogue, all owned by `acme` and extracting `invoice number`, `vendor`, `total`
 * and `due date` (a text line `Vendor: ACME Tools` in a file gives that value; otherwise a value is
 * derived from the file's hash), 200 ms per file:
 *
 * - `invoices` (`app-invoices`): completes;
 * - `invoices-review` (`app-invoices-review`): stops at the review checkpoint until
 *   `POST /_emulator/runs/:runId/review` completes it;
 * - `invoices-failing` (`app-invoices-failing`): fails with `OCR engine failed on page 1`;
 * - `invoices-noisy` (`app-invoices-noisy`): completes with about 40 % of its fields `ERROR`.
 */
export const defaultApps: AppBehaviour[] = [
  { id: 'app-invoices', name: 'invoices', owner: 'acme', fields: invoiceFields, msPerFile: 200 },
  {
    id: 'app-invoices-review',
    name: 'invoices-review',
    owner: 'acme',
    fields: invoiceFields,
    msPerFile: 200,
    review: {},
  },
  {
    id: 'app-invoices-failing',
    name: 'invoices-failing',
    owner: 'acme',
    fields: invoiceFields,
    msPerFile: 200,
    fail: 'OCR engine failed on page 1',
  },
  {
    id: 'app-invoices-noisy',
    name: 'invoices-noisy',
    owner: 'acme',
    fields: invoiceFields,
    msPerFile: 200,
    errorFieldRatio: 0.4,
  },
];

/**
 * The default deployments: `dep-invoices` runs `invoices` (`app-invoices`) and `dep-invoices-review`
 * runs `invoices-review` (`app-invoices-review`).
 */
export const defaultDeployments: DeploymentBehaviour[] = [
  { id: 'dep-invoices', appId: 'app-invoices' },
  { id: 'dep-invoices-review', appId: 'app-invoices-review' },
];
