/**
 * Workflow interceptors that emit hubrun's pipeline metrics through the workflow `metricMeter`
 * (which emits nothing while a history replays, and adds no command to it): pipelines started,
 * phases entered, pipelines finished by outcome and failure type, status checks per pipeline,
 * time processing and in review, and results delivered. They watch the pipeline's activity calls
 * and its end, so the pipeline itself holds no metrics code. Registered by the worker
 * (`interceptors.workflowModules`) and baked into the prebuilt bundle (`workflowInterceptorModules`).
 */
import { ContinueAsNew, isCancellation, metricMeter, workflowInfo } from '@temporalio/workflow';
import type {
  ActivityInput,
  LocalActivityInput,
  Next,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type { FetchedResults, RunTransition, WaitForRunInput } from '../activities';
import { metrics, targetLabels } from '../metrics/names';
import type { MetricSpec } from '../metrics/names';
import { failureOf } from '../failure-types';
import { phases } from '../progress';

/** The workflow type whose executions these metrics describe (fan-outs are counted through their children). */
const PIPELINE_WORKFLOW_TYPE = 'aihubRunPipeline';

/** The phase a pipeline enters when it schedules an activity of this type. */
const phaseOfActivity: Readonly<Record<string, string>> = {
  uploadFiles: phases.uploading,
  startRun: phases.starting,
  fetchResults: phases.fetchingResults,
  deleteRemote: phases.cleaningUp,
};

type Labels = Record<string, string>;

function counter(spec: MetricSpec, value: number, labels: Labels): void {
  if (value > 0) metricMeter.createCounter(spec.name, spec.unit, spec.description).add(value, labels);
}

function histogram(spec: MetricSpec, value: number, labels: Labels): void {
  metricMeter.createHistogram(spec.name, 'float', spec.unit, spec.description).record(value, labels);
}

/** What one pipeline execution did, gathered from its activity calls. */
class PipelineMetrics implements WorkflowInboundCallsInterceptor, WorkflowOutboundCallsInterceptor {
  #target: Labels = { app: '', deployment: '' };
  #phase: string | undefined;
  #checks = 0;
  readonly #stageMs = { processing: 0, review: 0 };

  async execute(
    input: WorkflowExecuteInput,
    next: Next<WorkflowInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    this.#target = targetLabels(input.args[0]);
    counter(metrics.pipelinesStarted, 1, this.#target);
    try {
      const result = await next(input);
      this.#finish('completed', '');
      return result;
    } catch (err) {
      if (err instanceof ContinueAsNew) throw err;
      if (isCancellation(err)) this.#finish('cancelled', '');
      else this.#finish('failed', failureOf(err).type ?? 'unknown');
      throw err;
    }
  }

  async scheduleActivity(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
  ): Promise<unknown> {
    if (input.activityType !== 'waitForRun') {
      const phase = phaseOfActivity[input.activityType];
      if (phase !== undefined) this.#enter(phase);
      const result = await next(input);
      if (input.activityType === 'fetchResults') this.#delivered(result as FetchedResults);
      return result;
    }
    const { stage } = input.args[0] as WaitForRunInput;
    this.#enter(stage === 'review' ? phases.reviewing : phases.waiting);
    const since = Date.now();
    try {
      const transition = (await next(input)) as RunTransition;
      this.#checks += transition.checks;
      return transition;
    } finally {
      this.#stageMs[stage] += Date.now() - since;
    }
  }

  async scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ): Promise<unknown> {
    const result = await next(input);
    if (input.activityType === 'checkRunNow') this.#checks += 1;
    return result;
  }

  #enter(phase: string): void {
    if (phase === this.#phase) return;
    this.#phase = phase;
    counter(metrics.pipelinePhases, 1, { ...this.#target, phase });
  }

  #delivered(results: FetchedResults): void {
    counter(metrics.resultFiles, results.files, this.#target);
    counter(metrics.resultFields, results.fields, this.#target);
    counter(metrics.resultFieldErrors, results.fieldErrors, this.#target);
    // Absent from the results of workers before resultsBytes was answered.
    counter(metrics.resultBytes, results.resultsBytes ?? 0, this.#target);
  }

  #finish(outcome: string, failureType: string): void {
    counter(metrics.pipelinesFinished, 1, { ...this.#target, outcome, failure_type: failureType });
    histogram(metrics.statusChecks, this.#checks, { ...this.#target, outcome });
    for (const stage of ['processing', 'review'] as const) {
      const ms = this.#stageMs[stage];
      if (ms > 0) histogram(metrics.runDuration, ms / 1000, { ...this.#target, stage });
    }
  }
}

/** The interceptors of one workflow execution: metrics for pipelines, none for other workflows. */
export const interceptors = (): WorkflowInterceptors => {
  if (workflowInfo().workflowType !== PIPELINE_WORKFLOW_TYPE) return {};
  const pipeline = new PipelineMetrics();
  return { inbound: [pipeline], outbound: [pipeline] };
};
