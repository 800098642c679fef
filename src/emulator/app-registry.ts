/**
 * The apps and deployments the emulator knows: the start options (or the defaults), plus those added
 * through the admin surface, which are kept in the state file and win on conflicts.
 */
import type { EmulatorState } from './state-store';
import type { AppBehaviour, DeploymentBehaviour } from './types';

/** Looks up apps and deployments; admin additions are recorded in the state. */
export class AppRegistry {
  constructor(
    private readonly baseApps: readonly AppBehaviour[],
    private readonly baseDeployments: readonly DeploymentBehaviour[],
    private readonly state: EmulatorState,
  ) {}

  /** Every app, admin additions replacing options of the same id. */
  apps(): AppBehaviour[] {
    const byId = new Map<string, AppBehaviour>();
    for (const app of [...this.baseApps, ...this.state.apps]) byId.set(app.id, app);
    return [...byId.values()];
  }

  deployments(): DeploymentBehaviour[] {
    const byId = new Map<string, DeploymentBehaviour>();
    for (const d of [...this.baseDeployments, ...this.state.deployments]) byId.set(d.id, d);
    return [...byId.values()];
  }

  appById(id: string): AppBehaviour | undefined {
    return this.apps().find((app) => app.id === id);
  }

  /** The app called `name`; with `owner`, only an app of that owner (an app without owner matches any). */
  appByName(name: string, owner?: string): AppBehaviour | undefined {
    return this.apps().find(
      (app) => app.name === name && (owner === undefined || app.owner === undefined || app.owner === owner),
    );
  }

  deployment(id: string): DeploymentBehaviour | undefined {
    return this.deployments().find((d) => d.id === id);
  }

  /** Adds or replaces an app (by id). */
  putApp(app: AppBehaviour): void {
    this.state.apps = [...this.state.apps.filter((a) => a.id !== app.id), structuredClone(app)];
  }

  /** Adds or replaces a deployment (by id). */
  putDeployment(deployment: DeploymentBehaviour): void {
    this.state.deployments = [
      ...this.state.deployments.filter((d) => d.id !== deployment.id),
      { ...deployment },
    ];
  }
}
