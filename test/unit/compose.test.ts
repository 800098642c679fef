/**
 * The production stack, checked statically (no Docker engine runs here): docker-compose.yml, the
 * Dockerfile and .dockerignore keep the promises of README "Running in production".
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ConfigError, configVariables, DEFAULT_MAX_CACHED_WORKFLOWS, loadConfig } from '../../src/config';
import { EMULATOR_DEFAULT_TOKEN } from '../../src/emulator';
import { DEFAULT_TASK_QUEUE } from '../../src/names';
import { searchAttributeKeys } from '../../src/search-attributes';

const root = join(__dirname, '..', '..');
const readRepoFile = (path: string): string => readFileSync(join(root, path), 'utf8');

// ---------------------------------------------------------------------------------------------
// docker-compose.yml

interface Dependency {
  condition?: string;
  required?: boolean;
}

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; target?: string };
  profiles?: string[];
  depends_on?: Record<string, Dependency> | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  entrypoint?: string | string[];
  command?: string | string[];
  volumes?: string[];
  secrets?: (string | { source: string })[];
  ports?: string[];
  stop_grace_period?: string;
}

interface ComposeFile {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string }>;
  volumes?: Record<string, unknown>;
}

/** Services that run for good: each needs a healthcheck others can wait on. */
const longRunning = ['postgresql', 'temporal', 'temporal-ui', 'worker', 'emulator', 'prometheus', 'grafana'];
/** Services of an opt-in profile, by profile. */
const profiled: Record<string, string> = {
  emulator: 'emulator',
  prometheus: 'observability',
  grafana: 'observability',
};
/** Jobs that run once per `up` and exit: others wait for them to complete successfully. */
const oneShot = ['temporal-schema', 'temporal-namespace'];

const compose = parse(readRepoFile('docker-compose.yml'), { merge: true }) as ComposeFile;
const services = compose.services;

function service(name: string): Service {
  const found = services[name];
  assert.ok(found, `docker-compose.yml has a service "${name}"`);
  return found;
}

/** A service's environment as a record (compose allows a map or a `KEY=VALUE` list). */
function environmentOf(svc: Service): Record<string, string> {
  const env = svc.environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((line) => [line.split('=')[0] ?? line, line.slice(line.indexOf('=') + 1)])
    : Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * What compose makes of `${VAR}`, `${VAR:-default}` and `${VAR:?message}` when only `vars` are
 * set; throws when a required variable is missing.
 */
function interpolate(value: string, vars: Record<string, string> = {}): string {
  return value.replace(
    /\$\{(\w+)(?::?([-?])([^}]*))?\}/g,
    (_match, name: string, op: string | undefined, arg: string | undefined) => {
      const set = vars[name];
      if (set !== undefined && set !== '') return set;
      if (op === '?') throw new Error(`${name} is required: ${arg ?? ''}`);
      return op === '-' ? (arg ?? '') : '';
    },
  );
}

function dependenciesOf(name: string): Record<string, Dependency> {
  const deps = service(name).depends_on ?? {};
  assert.ok(!Array.isArray(deps), `${name}: depends_on uses the long form, with conditions`);
  return deps;
}

/** Every service `name` waits for, directly or through others. */
function requiredBy(name: string, seen = new Set<string>()): Set<string> {
  for (const dep of Object.keys(dependenciesOf(name))) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    requiredBy(dep, seen);
  }
  return seen;
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : value.split(/\s+/).filter((s) => s !== '');
}

/** A `host:container[:mode]` bind or volume mount of `svc` whose container side is `target`. */
function mountAt(svc: Service, target: string): { source: string; target: string } | undefined {
  for (const spec of svc.volumes ?? []) {
    const [source, mounted] = spec.split(':');
    if (
      source !== undefined &&
      mounted !== undefined &&
      (target === mounted || target.startsWith(`${mounted}/`))
    )
      return { source, target: mounted };
  }
  return undefined;
}

/** The host file a container path of `svc` comes from, through its bind mounts. */
function hostFileOf(svc: Service, containerPath: string): string {
  const mount = mountAt(svc, containerPath);
  assert.ok(
    mount !== undefined && mount.source.startsWith('./'),
    `${containerPath} is bind-mounted from the repository`,
  );
  return join(root, mount.source, posix.relative(mount.target, containerPath));
}

function isPinned(image: string): boolean {
  if (image.includes('${')) return false;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : '';
  return tag !== '' && tag !== 'latest';
}

/** Whether `src/config.ts` (through `@temporalio/envconfig`) reads the Temporal variable `name`. */
function configReadsTemporalVariable(name: string): boolean {
  const baseline = JSON.stringify(loadConfig({}).temporal);
  try {
    return JSON.stringify(loadConfig({ [name]: 'probe.example:1234' }).temporal) !== baseline;
  } catch (err) {
    return err instanceof ConfigError;
  }
}

function readEnvFile(path: string): Record<string, string> {
  return Object.fromEntries(
    readRepoFile(path)
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** `temporal operator search-attribute create --type` spelling of each SDK type. */
const cliTypeNames: Record<string, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

void describe('docker-compose.yml', () => {
  void it('defines the stack, with the emulator and observability only in their own profiles', () => {
    assert.deepEqual(Object.keys(services).sort(), [...longRunning, ...oneShot].sort());
    for (const [name, profile] of Object.entries(profiled))
      assert.deepEqual(service(name).profiles, [profile]);
    for (const name of [...longRunning, ...oneShot].filter((n) => profiled[n] === undefined)) {
      assert.equal(service(name).profiles, undefined, `${name} runs in every profile`);
    }
  });

  void it('pins every image to a tag or a digest, never latest', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (svc.image === undefined) {
        assert.ok(svc.build !== undefined, `${name} has an image or a build`);
        continue;
      }
      assert.ok(isPinned(svc.image), `${name}: image ${svc.image} is pinned`);
    }
  });

  void it('gives every long-running service a healthcheck and lets the one-shot jobs finish', () => {
    for (const name of longRunning) {
      const check = service(name).healthcheck;
      const test = asList(check?.test);
      assert.ok(
        check?.disable !== true && ['CMD', 'CMD-SHELL'].includes(test[0] ?? ''),
        `${name} has a healthcheck`,
      );
      assert.ok(test.length > 1, `${name}: the healthcheck runs something`);
    }
    for (const name of oneShot) {
      const restart = service(name).restart ?? 'no';
      assert.match(restart, /^(no|on-failure(:\d+)?)$/, `${name} is not restarted once it succeeded`);
    }
  });

  void it('starts each service only once the ones before it are healthy or done', () => {
    for (const name of Object.keys(services)) {
      for (const [dep, { condition }] of Object.entries(dependenciesOf(name))) {
        assert.ok(services[dep], `${name} depends on the defined service ${dep}`);
        const expected = oneShot.includes(dep) ? 'service_completed_successfully' : 'service_healthy';
        assert.equal(condition, expected, `${name} waits for ${dep} with ${expected}`);
      }
      assert.ok(!requiredBy(name).has(name), `${name} does not wait for itself`);
    }
    const chain = ['postgresql', 'temporal-schema', 'temporal', 'temporal-namespace', 'worker'];
    for (const [i, name] of chain.entries()) {
      if (i > 0) assert.ok(chain[i - 1]! in dependenciesOf(name), `${name} waits for ${chain[i - 1]}`);
      const expected = chain.slice(0, i).sort();
      assert.deepEqual(
        [...requiredBy(name)].filter((s) => chain.includes(s)).sort(),
        expected,
        `${name} starts after ${expected.join(', ')}`,
      );
    }
    assert.ok('temporal' in dependenciesOf('temporal-ui'), 'the UI waits for the server');
    assert.deepEqual(dependenciesOf('worker').emulator, { condition: 'service_healthy', required: false });
    assert.deepEqual(Object.keys(dependenciesOf('emulator')), [], 'the emulator needs nothing');
  });

  void it("builds the worker from the Dockerfile, and the emulator from the same Dockerfile's emulator stage", () => {
    const worker = service('worker');
    const build = typeof worker.build === 'string' ? { context: worker.build } : worker.build;
    assert.equal(build?.context, '.');
    const dockerfile = join(root, build.context, build.dockerfile ?? 'Dockerfile');
    assert.equal(dockerfile, join(root, 'Dockerfile'));
    assert.ok(existsSync(dockerfile));
    assert.equal(worker.entrypoint, undefined, 'the worker runs the image entrypoint');
    assert.equal(worker.command, undefined, 'the worker runs the image command (`worker`)');
    assert.equal(build.target, undefined, 'the worker is the default (last) stage');
    const emulator = service('emulator');
    assert.notEqual(emulator.image, worker.image, 'the worker image carries no emulator');
    assert.deepEqual(emulator.build, { ...build, target: 'emulator' });
    assert.ok(
      stages.some((stage) => stage.name === 'emulator' && stage !== stages.at(-1)),
      'the Dockerfile has an emulator stage before the runtime',
    );
    assert.equal(asList(emulator.command)[0], 'emulator');
  });

  void it('registers exactly the search attributes of src/search-attributes.ts, in the worker namespace', () => {
    const job = service('temporal-namespace');
    const registered = asList(job.command).sort();
    const expected = searchAttributeKeys.map((key) => `${key.name}=${cliTypeNames[key.type]}`).sort();
    assert.deepEqual(registered, expected);
    assert.equal(environmentOf(job).TEMPORAL_NAMESPACE, environmentOf(service('worker')).TEMPORAL_NAMESPACE);
    assert.equal(environmentOf(job).TEMPORAL_ADDRESS, environmentOf(service('worker')).TEMPORAL_ADDRESS);
  });

  void it('mounts the setup scripts and dynamic config it runs from deploy/', () => {
    for (const name of oneShot) {
      const [shell, script, ...rest] = asList(service(name).entrypoint);
      assert.equal(shell, '/bin/sh', `${name} runs a shell script`);
      assert.ok(script !== undefined && rest.length === 0);
      assert.ok(existsSync(hostFileOf(service(name), script)), `${name}: ${script} exists in the repository`);
    }
    const temporal = service('temporal');
    const dynamicConfig = environmentOf(temporal).DYNAMIC_CONFIG_FILE_PATH;
    assert.ok(dynamicConfig, 'the server names its dynamic config');
    assert.ok(existsSync(hostFileOf(temporal, dynamicConfig)));
  });

  void it('sets on the worker and the emulator only variables that src/config.ts reads', () => {
    assert.ok(configReadsTemporalVariable('TEMPORAL_ADDRESS'), 'the probe sees a variable config reads');
    assert.ok(!configReadsTemporalVariable('TEMPORAL_NOT_A_SETTING'), 'the probe sees one it ignores');
    for (const name of ['worker', 'emulator']) {
      for (const variable of Object.keys(environmentOf(service(name)))) {
        const known =
          configVariables.includes(variable) ||
          (variable.startsWith('TEMPORAL_') && configReadsTemporalVariable(variable));
        assert.ok(known, `${name}: ${variable} is a variable src/config.ts reads`);
      }
    }
  });

  void it("the worker's environment, with compose's defaults, is a valid configuration", () => {
    // A secret's mount point read as the file compose mounts there by default.
    const mounted = (value: string): string => {
      const secret = value.match(/^\/run\/secrets\/([\w.-]+)$/)?.[1];
      return secret === undefined ? value : join(root, interpolate(compose.secrets?.[secret]?.file ?? ''));
    };
    const workerEnv = (vars: Record<string, string>): Record<string, string> =>
      Object.fromEntries(
        Object.entries(environmentOf(service('worker'))).map(([key, value]) => [
          key,
          mounted(interpolate(value, vars)),
        ]),
      );
    const trial = readEnvFile('deploy/emulator/compose.env');
    const env = workerEnv(trial);
    assert.throws(() => interpolate(environmentOf(service('worker')).AIHUB_API_ROOT ?? ''), /AIHUB_API_ROOT/);
    const tokenFile = join(root, 'deploy', 'emulator', 'token');
    assert.throws(
      () =>
        loadConfig({
          ...workerEnv({ AIHUB_API_ROOT: 'http://aihub.example.com/api' }),
          AIHUB_API_TOKEN_FILE: tokenFile,
        }),
      /AIHUB_API_ROOT: must be https:\/\//,
      'plain http to AI Hub is refused unless the operator opts in',
    );
    const config = loadConfig({ ...env, AIHUB_API_TOKEN_FILE: tokenFile });
    assert.equal(config.taskQueue, DEFAULT_TASK_QUEUE);
    assert.equal(config.temporal.connectionOptions.address, 'temporal:7233');
    assert.equal(config.maxCachedWorkflows, DEFAULT_MAX_CACHED_WORKFLOWS);
  });

  void it('gives the worker its AI Hub token only as a secret file', () => {
    const worker = service('worker');
    const env = environmentOf(worker);
    assert.ok(!('AIHUB_API_TOKEN' in env), 'no token in the environment');
    const secretNames = (worker.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source));
    const secret = env.AIHUB_API_TOKEN_FILE?.match(/^\/run\/secrets\/([\w.-]+)$/)?.[1];
    assert.ok(
      secret !== undefined && secretNames.includes(secret),
      'AIHUB_API_TOKEN_FILE is a mounted secret',
    );
    const file = compose.secrets?.[secret]?.file;
    assert.ok(file !== undefined, `secret ${secret} comes from a file`);
    const defaultFile = interpolate(file);
    assert.match(defaultFile, /^\.\/deploy\/secrets\//);
    assert.match(readRepoFile('deploy/secrets/.gitignore'), /^\*$/m, 'token files there are never committed');
  });

  void it('gives the worker PDF passwords only as a secret file, none unless one is named', () => {
    const worker = service('worker');
    const env = environmentOf(worker);
    const secretNames = (worker.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source));
    const secret = env.AIHUB_PDF_PASSWORDS_FILE?.match(/^\/run\/secrets\/([\w.-]+)$/)?.[1];
    assert.ok(
      secret !== undefined && secretNames.includes(secret),
      'AIHUB_PDF_PASSWORDS_FILE is a mounted secret',
    );
    const file = compose.secrets?.[secret]?.file ?? '';
    assert.notEqual(interpolate(file, { AIHUB_PDF_PASSWORDS_SECRET_FILE: './mine.json' }), interpolate(file));
    assert.deepEqual(JSON.parse(readRepoFile(interpolate(file))), {}, 'the default file holds no passwords');
  });

  void it('writes results to a named volume at HUBRUN_OUTPUT_DIR and health-checks the metrics port', () => {
    const worker = service('worker');
    const env = environmentOf(worker);
    const outputDir = env.HUBRUN_OUTPUT_DIR ?? '';
    const mount = mountAt(worker, outputDir);
    assert.equal(mount?.target, outputDir, 'HUBRUN_OUTPUT_DIR is a mount point');
    assert.ok(
      compose.volumes !== undefined && mount.source in compose.volumes,
      `${mount.source} is a named volume`,
    );
    const port = env.HUBRUN_METRICS_ADDRESS?.split(':').pop();
    assert.ok(
      asList(worker.healthcheck?.test).join(' ').includes(`:${port}/`),
      'the healthcheck asks the metrics port',
    );
  });

  void it('publishes every port on 127.0.0.1 only, unless its bind variable says otherwise', () => {
    const published = Object.entries(services).flatMap(([name, svc]) =>
      (svc.ports ?? []).map((spec) => ({ name, spec: String(spec) })),
    );
    assert.deepEqual(
      published.map(({ name }) => name).sort(),
      ['emulator', 'grafana', 'prometheus', 'temporal', 'temporal-ui'],
      'Temporal, its UI, the emulator, Prometheus and Grafana are published',
    );
    for (const { name, spec } of published) {
      const bind = spec.match(/^\$\{(\w+):-127\.0\.0\.1\}:/)?.[1];
      assert.ok(bind !== undefined, `${name}: ${spec} names its bind address, 127.0.0.1 by default`);
      const parts = interpolate(spec).split(':');
      assert.equal(parts.length, 3, `${name}: ${spec} is host:port:container`);
      assert.equal(parts[0], '127.0.0.1', `${name} binds loopback by default`);
      assert.equal(interpolate(spec, { [bind]: '0.0.0.0' }).split(':')[0], '0.0.0.0', `${bind} opens it`);
      assert.ok(readRepoFile('README.md').includes(bind), `README documents ${bind}`);
    }
  });

  void it("passes the worker the operator's file roots, settle, grace and insecure-http settings", () => {
    const worker = service('worker');
    const env = environmentOf(worker);
    for (const variable of [
      'HUBRUN_FILES_ROOTS',
      'HUBRUN_RESULTS_ROOTS',
      'HUBRUN_START_SETTLE_SECONDS',
      'HUBRUN_SHUTDOWN_GRACE_SECONDS',
      'AIHUB_ALLOW_INSECURE_HTTP',
    ]) {
      assert.ok(variable in env, `the worker gets ${variable}`);
      assert.ok(
        (env[variable] ?? '').includes(`\${${variable}:-`),
        `${variable} comes from the shell or .env`,
      );
    }
    // Compose kills a container its stop grace period after SIGTERM: longer than the worker's own grace.
    const stopSeconds = Number(/^(\d+)s$/.exec(worker.stop_grace_period ?? '')?.[1]);
    const graceMs = loadConfig({ HUBRUN_SHUTDOWN_GRACE_SECONDS: '' }).shutdownGraceMs;
    assert.ok(stopSeconds * 1000 > graceMs, `stop_grace_period ${worker.stop_grace_period} > ${graceMs} ms`);
  });

  void it('runs the stack without AI Hub credentials under the emulator profile', () => {
    const emulator = service('emulator');
    const args = asList(emulator.command);
    const option = (name: string): string | undefined => args[args.indexOf(name) + 1];
    assert.equal(option('--host'), '0.0.0.0');
    assert.equal(option('--port'), '7243');
    const state = option('--state') ?? '';
    const stateVolume = mountAt(emulator, state)?.source ?? '';
    assert.ok(stateVolume in (compose.volumes ?? {}), 'the state file lives on a named volume');
    assert.ok(asList(emulator.healthcheck?.test).join(' ').includes(':7243/'));

    const trial = readEnvFile('deploy/emulator/compose.env');
    assert.equal(trial.COMPOSE_PROFILES, 'emulator');
    assert.equal(trial.AIHUB_API_ROOT, 'http://emulator:7243/api');
    const secretFile = compose.secrets?.aihub_api_token?.file ?? '';
    const tokenFile = interpolate(secretFile, trial);
    assert.notEqual(tokenFile, interpolate(secretFile), 'the trial names its own token file');
    assert.equal(readRepoFile(tokenFile).trim(), EMULATOR_DEFAULT_TOKEN);
  });
});

// ---------------------------------------------------------------------------------------------
// Dockerfile and .dockerignore

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** The Dockerfile's stages, with `ARG` defaults declared before the first `FROM` substituted. */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const keyword = line.split(/\s+/, 1)[0]!.toUpperCase();
    const rest = line.slice(keyword.length).trim();
    if (keyword === 'ARG' && stages.length === 0) {
      const [name, value] = rest.split('=');
      if (name !== undefined && value !== undefined) args[name] = value;
    } else if (keyword === 'FROM') {
      const [image = '', as, name] = rest
        .replace(/\$\{(\w+)\}/g, (_m, arg: string) => args[arg] ?? '')
        .split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      assert.ok(stages.length > 0, `${keyword} comes after a FROM`);
      stages.at(-1)!.instructions.push({ keyword, args: rest });
    }
  }
  return stages;
}

function argsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** `ENV` assignments of a stage (`A=1 B=2` and the legacy `A 1` form). */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of argsOf(stage, 'ENV')) {
    if (!args.split(/\s+/)[0]!.includes('=')) {
      const [key = '', ...value] = args.split(/\s+/);
      env[key] = value.join(' ');
      continue;
    }
    for (const pair of args.split(/\s+/))
      env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
  }
  return env;
}

const stages = parseDockerfile(readRepoFile('Dockerfile'));
const runtime = stages.at(-1)!;

void describe('Dockerfile', () => {
  void it('builds in one stage and runs a slim Node 24 (LTS) image with production dependencies only', () => {
    assert.ok(stages.length >= 2, 'multi-stage');
    for (const stage of stages) assert.ok(isPinned(stage.image), `FROM ${stage.image} is pinned`);
    assert.match(runtime.image, /^node:24\.\d+\.\d+-[\w-]*slim$/);

    const build = stages.find((stage) => argsOf(stage, 'RUN').some((run) => run.includes('npm run build')));
    assert.ok(
      build && build !== runtime && build.name !== undefined,
      'a named build stage runs `npm run build`',
    );
    assert.ok(
      argsOf(build, 'RUN').some((run) => /\bnpm ci\b(?!.*--omit)/.test(run)),
      'with all dependencies',
    );

    const runs = argsOf(runtime, 'RUN').join('\n');
    assert.match(runs, /\bnpm ci\b.*--omit=dev/, 'the runtime installs production dependencies only');
    assert.match(
      runs,
      /\bnpm ci\b.*--omit=dev.*&& node \S*prune-native-binaries\.js/,
      "then keeps only this platform's Temporal core bridge binary",
    );
    assert.doesNotMatch(runs, /npm run build|npm install\b/);
    const copiesDist = argsOf(runtime, 'COPY').some((copy) =>
      new RegExp(`^--from=${build.name}\\s+\\S*dist\\S*\\s`).test(copy),
    );
    assert.ok(copiesDist, 'the runtime copies dist/ from the build stage');
  });

  void it('runs `node bin/hubrun.js worker` as a non-root user with the prebuilt workflow bundle', () => {
    const user = argsOf(runtime, 'USER').at(-1);
    assert.ok(user !== undefined && !/^(root|0)(:.*)?$/.test(user), `runs as a non-root user, not ${user}`);

    const env = envOf(runtime);
    const workdir = argsOf(runtime, 'WORKDIR').at(-1) ?? '/';
    assert.equal(env.HUBRUN_WORKFLOW_BUNDLE, posix.join(workdir, 'dist', 'workflow-bundle.js'));
    assert.match(
      readRepoFile('scripts/bundle-workflows.ts'),
      /'dist', 'workflow-bundle\.js'/,
      'the build writes it there',
    );
    for (const name of Object.keys(env))
      assert.ok(configVariables.includes(name), `ENV ${name} is a config variable`);

    const entrypoint = JSON.parse(argsOf(runtime, 'ENTRYPOINT').at(-1) ?? '[]') as string[];
    const cmd = JSON.parse(argsOf(runtime, 'CMD').at(-1) ?? '[]') as string[];
    assert.deepEqual([...entrypoint, ...cmd], ['node', 'bin/hubrun.js', 'worker']);
  });

  void it('.dockerignore lets in only what the build copies, never deploy/ and its secrets', () => {
    const patterns = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    assert.equal(patterns[0], '*', 'everything is excluded first');
    const allowed = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1).replace(/\/$/, ''));
    const admits = (path: string): boolean =>
      allowed.some((entry) => path === entry || path.startsWith(`${entry}/`));
    for (const stage of stages) {
      for (const copy of argsOf(stage, 'COPY').filter((c) => !c.startsWith('--from'))) {
        const sources = copy
          .split(/\s+/)
          .filter((s) => !s.startsWith('--'))
          .slice(0, -1);
        for (const source of sources)
          assert.ok(admits(source.replace(/\/$/, '')), `${source} is in the build context`);
      }
    }
    for (const path of [
      'deploy',
      'deploy/secrets/aihub-api-token',
      'node_modules',
      '.hubrun',
      'hubrun-output',
      'dist',
    ])
      assert.ok(!admits(path), `${path} stays out of the build context`);
  });
});

void describe('the observability profile', () => {
  void it('scrapes the worker with the rules, and provisions Grafana with the dashboard, from deploy/', () => {
    const prometheusConfig = parse(readRepoFile('deploy/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const metricsPort = environmentOf(service('worker')).HUBRUN_METRICS_ADDRESS?.split(':').pop();
    const targets = prometheusConfig.scrape_configs.flatMap((c) =>
      c.static_configs.flatMap((s) => s.targets),
    );
    assert.deepEqual(targets, [`worker:${metricsPort}`], 'Prometheus scrapes the worker at its metrics port');
    const mounts = (name: string): Map<string, string> =>
      new Map((service(name).volumes ?? []).map((v) => [v.split(':')[1] ?? '', v.split(':')[0] ?? '']));
    const prometheusMounts = mounts('prometheus');
    for (const ruleFile of prometheusConfig.rule_files) {
      assert.equal(
        prometheusMounts.get(ruleFile),
        './deploy/prometheus/alerts.yml',
        `${ruleFile} is mounted`,
      );
    }
    assert.equal(
      prometheusMounts.get('/etc/prometheus/prometheus.yml'),
      './deploy/prometheus/prometheus.yml',
    );
    const grafanaMounts = [...mounts('grafana').values()];
    for (const file of ['datasource.yml', 'dashboards.yml', 'hubrun.json']) {
      assert.ok(grafanaMounts.includes(`./deploy/grafana/${file}`), `Grafana mounts deploy/grafana/${file}`);
      assert.ok(existsSync(join(root, 'deploy', 'grafana', file)), `deploy/grafana/${file} exists`);
    }
  });
});
