/** How the command line prints a finished pipeline or fan-out for people (`run --wait`, `results`, `demo`). */
import { currentPipelineResult, isCompleted } from '../results';
import type { FanOutResult, StoredPipelineResult } from '../results';

/** A completed pipeline's summary, for people (`COMPLETED: ...`, whichever worker wrote it). */
export function printPipelineResult(stored: StoredPipelineResult): void {
  const result = currentPipelineResult(stored);
  console.log(
    `${result.status}: ${result.files} files, ${result.documents} documents, ${result.fields} fields, ` +
      `${result.fieldErrors} in ERROR (AI Hub run ${result.runId})`,
  );
  console.log(`results:  ${result.resultsPath}`);
  console.log(`manifest: ${result.manifestPath} (sha256 ${result.resultsSha256.slice(0, 16)}…)`);
}

/** A finished fan-out's outcome per child, for people. */
export function printFanOutResult(result: FanOutResult): void {
  for (const o of result.outcomes) {
    const detail = isCompleted(o.status)
      ? `${o.files} files, ${o.fieldErrors} of ${o.fields} fields in ERROR  ${o.resultsPath}`
      : `${o.failureType ?? ''} ${o.message ?? ''}`.trim();
    console.log(`${o.workflowId.padEnd(40)} ${o.status.padEnd(9)} ${detail}`);
  }
  console.log(
    `${result.total} children: ${result.completed} completed, ${result.failed} failed, ${result.cancelled} cancelled`,
  );
}
