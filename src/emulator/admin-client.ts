/** A small typed client for the emulator's admin surface (`/_emulator`), for tests, benchmarks and the demo. */
import type { SeedHistory } from './admin-schemas';
import type { CallsSnapshot } from './call-log';
import type { PendingRunInfo } from './pending-runs';
import type { EmulatorStats, RunDetails } from './run-engine';
import type { AppBehaviour, DeploymentBehaviour, FaultRule } from './types';

/** Thrown when an admin call answers other than 2xx. */
export class EmulatorAdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'EmulatorAdminError';
  }
}

/** Talks to one emulator's admin surface, e.g. `new EmulatorAdmin(emulator.adminUrl)`. */
export class EmulatorAdmin {
  private readonly base: string;

  constructor(adminUrl: string) {
    this.base = adminUrl.replace(/\/+$/, '');
  }

  /** Call counts per endpoint and the call log. */
  calls(): Promise<CallsSnapshot> {
    return this.request<CallsSnapshot>('GET', '/calls');
  }

  /** Resets call counts and the log. */
  async resetCalls(): Promise<void> {
    await this.request('DELETE', '/calls');
  }

  /** Runs in flight now, the most ever in flight at once, and runs started in total. */
  stats(): Promise<EmulatorStats> {
    return this.request<EmulatorStats>('GET', '/stats');
  }

  /** Restarts `maxRunsInFlight` from the runs in flight now. */
  async resetStats(): Promise<void> {
    await this.request('DELETE', '/stats');
  }

  /** Every run with its internal details (checks made, behaviour, file count). */
  async runs(): Promise<RunDetails[]> {
    return (await this.request<{ runs: RunDetails[] }>('GET', '/runs')).runs;
  }

  /** Runs a `slow-create` rule accepted and has not created yet (getRun answers 404 for them), soonest first. */
  async pendingRuns(): Promise<PendingRunInfo[]> {
    return (await this.request<{ runs: PendingRunInfo[] }>('GET', '/pending-runs')).runs;
  }

  /** Consumption units left; null is unlimited. */
  async quota(): Promise<number | null> {
    return (await this.request<{ remainingUnits: number | null }>('GET', '/quota')).remainingUnits;
  }

  /** Completes the review of a run at `STOPPED_AT_CHECKPOINT` (409 when it is not there). */
  completeReview(runId: string): Promise<RunDetails> {
    return this.request<RunDetails>('POST', `/runs/${encodeURIComponent(runId)}/review`);
  }

  /** The active fault rules. */
  async faults(): Promise<FaultRule[]> {
    return (await this.request<{ rules: FaultRule[] }>('GET', '/faults')).rules;
  }

  /** Replaces the bearer tokens the API accepts (a rotated secret): others answer 401 from now on. */
  async setTokens(tokens: string[]): Promise<void> {
    await this.request('PUT', '/tokens', { tokens });
  }

  /** Replaces the fault rules (an empty list clears them). */
  async setFaults(rules: FaultRule[]): Promise<void> {
    await this.request('PUT', '/faults', { rules });
  }

  /** Adds or replaces an app behaviour (by id). */
  async putApp(app: AppBehaviour): Promise<void> {
    await this.request('PUT', '/apps', app);
  }

  /**
   * Adds finished runs of an app in the past (durations given, or drawn from its `durations`),
   * the newest finishing `spacingMs` ago; answers their ids, newest first.
   */
  async seedHistory(appId: string, seed: SeedHistory): Promise<string[]> {
    const path = `/apps/${encodeURIComponent(appId)}/history`;
    return (await this.request<{ runIds: string[] }>('POST', path, seed)).runIds;
  }

  /** Adds or replaces a deployment (by id). */
  async putDeployment(deployment: DeploymentBehaviour): Promise<void> {
    await this.request('PUT', '/deployments', deployment);
  }

  /** Sets the consumption units left; null is unlimited. */
  async setQuota(remainingUnits: number | null): Promise<void> {
    await this.request('PUT', '/quota', { remainingUnits });
  }

  /** Writes a drive file, e.g. `acme/Claims/fs/Instabase Drive/inbox/a.txt`, for `input_dir` runs. */
  async putDriveFile(path: string, bytes: Uint8Array | string): Promise<void> {
    const encoded = path
      .split('/')
      .filter((s) => s !== '')
      .map(encodeURIComponent)
      .join('/');
    await this.request('PUT', `/drive/${encoded}`, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  }

  private async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method };
    if (body instanceof Uint8Array) {
      init.body = body;
      init.headers = { 'content-type': 'application/octet-stream' };
    } else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    const response = await fetch(`${this.base}${path}`, init);
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new EmulatorAdminError(response.status, `${method} ${path}: ${response.status} ${message}`);
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}
