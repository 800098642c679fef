/**
 * Every AI Hub endpoint hubrun calls, named once. The client labels its errors with these names
 * and the emulator counts calls and injects faults by them, so tests speak one vocabulary.
 */
export const endpoints = {
  runApp: { method: 'POST', path: '/v2/apps/runs' },
  runDeployment: { method: 'POST', path: '/v2/apps/deployments/:deploymentId/runs' },
  getRun: { method: 'GET', path: '/v2/apps/runs/:runId' },
  getRunResults: { method: 'GET', path: '/v2/apps/runs/:runId/results' },
  listRuns: { method: 'GET', path: '/v2/apps/runs' },
  deleteRun: { method: 'DELETE', path: '/v2/apps/runs/:runId' },
  createBatch: { method: 'POST', path: '/v2/batches' },
  listBatches: { method: 'GET', path: '/v2/batches' },
  getBatch: { method: 'GET', path: '/v2/batches/:batchId' },
  deleteBatch: { method: 'DELETE', path: '/v2/batches/:batchId' },
  listBatchFiles: { method: 'GET', path: '/v2/batches/:batchId/files' },
  putBatchFile: { method: 'PUT', path: '/v2/batches/:batchId/files/:filename' },
  deleteBatchFile: { method: 'DELETE', path: '/v2/batches/:batchId/files/:filename' },
  startMultipartUpload: { method: 'POST', path: '/v2/batches/multipart-upload' },
  putMultipartPart: {
    method: 'PUT',
    path: '/v2/batches/multipart-upload/sessions/:sessionId/parts/:partNum',
  },
  finishMultipartUpload: { method: 'POST', path: '/v2/batches/multipart-upload/sessions/:sessionId' },
  getJob: { method: 'GET', path: '/v2/jobs/:jobId' },
  getBatchJob: { method: 'GET', path: '/v2/batches/jobs/:jobId' },
} as const;

/** The name of one AI Hub endpoint, such as `runApp` or `getRun`. */
export type EndpointName = keyof typeof endpoints;

/** All endpoint names, for iteration (fault rules, call counters). */
export const endpointNames = Object.keys(endpoints) as EndpointName[];

/** Files above this size go through a multipart upload session: AI Hub documents "over 10 MB", read as 10,000,000 bytes (below 10 MiB, safe either way). */
export const MULTIPART_THRESHOLD_BYTES = 10_000_000;

/** AI Hub's limits on one run. */
export const aihubLimits = {
  maxTagChars: 500,
  maxBatchNameChars: 255,
  maxFileBytes: 50 * 1024 * 1024,
  maxFilesPerRun: 1000,
} as const;
