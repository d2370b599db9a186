import {
  AppError,
  type Knobs,
  type Mailbox,
  errorHandler,
  notFoundHandler,
  parseInput,
  route,
} from '@checkout-lab/kit';
import express, { type Express } from 'express';
import { z } from 'zod';
import { type HealthReport, type Internals, type ProcessHealth, type StackId, TARGET_CHOICES } from '../shared/types';
import { AdminSessions, guardLabApi, sessionRoutes } from './admin-session';
import type { DashboardConfig } from './config';
import type { FaultScheduler } from './fault-scheduler';
import { faultsRouter } from './faults.routes';
import { LabProcesses } from './lab-processes';
import { lessonsRouter } from './lessons.routes';
import type { PostgresActivity } from './internals/postgres-activity';
import { normalizePrefix, type RabbitQueues } from './internals/rabbit-queues';
import { stackProxyRouter } from './proxy.routes';
import { runToCsv, runsToCsv } from './runs/export';
import { RunBusyError, type RunManager } from './runs/run-manager';
import type { RunsRepository } from './runs/runs.repository';
import { onEachStack, pickStacks, type StackClient, StackError } from './stack-client';

export interface AppDeps {
  config: DashboardConfig;
  stacks: Record<StackId, StackClient>;
  runs: RunsRepository;
  manager: RunManager;
  postgres: PostgresActivity;
  rabbit: RabbitQueues;
  mailbox: Mailbox;
  /** The instructor's fault scheduler (the Faults view), which reverts what it set when it stops. */
  scheduler: FaultScheduler;
}

const runSettingsSchema = z.object({
  scenario: z.enum(['steady', 'black-friday', 'single']),
  target: z.enum(TARGET_CHOICES),
  connections: z.number().int().min(1).max(200),
  duration_s: z.number().int().min(1).max(600),
  buyers: z.number().int().min(1).max(1000),
  stock: z.number().int().min(0).max(100_000),
  payment_delay_ms: z.number().int().min(0).max(30_000),
  email_delay_ms: z.number().int().min(0).max(30_000),
  payment_failure_rate: z.number().min(0).max(1),
});

const knobsSchema = z
  .object({
    payment_delay_ms: z.number().int().min(0).max(30_000),
    email_delay_ms: z.number().int().min(0).max(30_000),
    payment_failure_rate: z.number().min(0).max(1),
  })
  .partial();

// As the gateway checks them: `<service>:<id>`, at most 100 per call.
const redriveSchema = z
  .object({
    ids: z
      .array(
        z
          .string()
          .regex(/^[a-z]+-service:\S+$/)
          .max(300),
      )
      .max(100)
      .optional(),
  })
  .strict();

function runId(raw: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0)
    throw new AppError({ status: 400, code: 'INVALID_ID', message: 'A run id is a positive integer' });
  return id;
}

async function health(deps: AppDeps): Promise<HealthReport> {
  const processes: ProcessHealth[] = [];
  const probe = async (name: string, baseUrl: string) => {
    try {
      const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
      const status = response.status;
      const body: unknown = await response.json().catch(() => null);
      const b = (body ?? {}) as { status?: string; services?: Record<string, { status?: string; url?: string }> };
      processes.push({ name, url: baseUrl, status: status === 200 && b.status === 'ok' ? 'ok' : 'degraded' });
      for (const [service, state] of Object.entries(b.services ?? {})) {
        processes.push({ name: service, url: state.url ?? '', status: state.status === 'ok' ? 'ok' : 'down' });
      }
    } catch (error) {
      processes.push({ name, url: baseUrl, status: 'down', detail: (error as Error).message });
    }
  };
  // The card provider both stacks charge is outside both: its own line.
  await Promise.all([
    probe('monolith', deps.config.monolithUrl),
    probe('api-gateway', deps.config.gatewayUrl),
    probe('payment-provider', deps.config.paymentProviderUrl),
  ]);
  return { processes };
}

let internalsCache: { at: number; value: Promise<Internals> } | null = null;

/** One sample of everything the "internals" view shows; shared by every open page for half a second. */
function sampleInternals(deps: AppDeps): Promise<Internals> {
  if (internalsCache && Date.now() - internalsCache.at < 500) return internalsCache.value;
  const value = (async (): Promise<Internals> => {
    const [locks, connections, queues, mails] = await Promise.allSettled([
      deps.postgres.lockWaits(),
      deps.postgres.connections(),
      deps.rabbit.sample(),
      deps.mailbox.list(),
    ]);
    const cpu = process.cpuUsage();
    const mailList = mails.status === 'fulfilled' ? mails.value : [];
    return {
      sampled_at: new Date().toISOString(),
      lock_waits: locks.status === 'fulfilled' ? locks.value : [],
      connections: connections.status === 'fulfilled' ? connections.value : [],
      postgres_error: locks.status === 'rejected' ? String((locks.reason as Error).message) : null,
      rabbit_prefix: normalizePrefix(deps.config.rabbitPrefix),
      queues: queues.status === 'fulfilled' ? queues.value : [],
      rabbit_error: queues.status === 'rejected' ? String((queues.reason as Error).message) : null,
      mail: {
        total: mailList.length,
        latest: mailList
          .slice(-8)
          .reverse()
          .map((m) => ({ subject: m.subject, to: m.to.map((t) => t.address).join(', '), time: m.time })),
        error: mails.status === 'rejected' ? String((mails.reason as Error).message) : null,
      },
      lab_cpu: {
        user_ms: Math.round(cpu.user / 1000),
        system_ms: Math.round(cpu.system / 1000),
        uptime_s: Math.round(process.uptime()),
      },
    };
  })();
  internalsCache = { at: Date.now(), value };
  return value;
}

/** The lab API: the stacks' proxy, the instructor's controls, load runs and the internals. Never listens itself. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');

  // The proxy reads raw bodies, so it is mounted before the JSON parser. It stays open: buyers call their own shop
  // with their own tokens through it, and a stack checks those tokens itself.
  app.use('/stack', stackProxyRouter({ monolith: deps.config.monolithUrl, micro: deps.config.gatewayUrl }));
  // Every change to the lab (knobs, reset, runs, redrive) needs the lab admin's session, from this page only.
  const sessions = new AdminSessions(deps.config.admin);
  app.use('/api', guardLabApi(sessions));
  app.use('/api', express.json({ limit: '100kb' }));
  app.use(sessionRoutes(sessions));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'lab-dashboard' });
  });

  app.get('/api/info', (_req, res) => {
    res.json({
      monolith_url: deps.config.monolithUrl,
      gateway_url: deps.config.gatewayUrl,
      mail_ui_url: deps.config.mailUiUrl,
      admin_email: deps.config.admin.email,
    });
  });

  app.get(
    '/api/health',
    route(async (_req, res) => res.json(await health(deps))),
  );
  app.get(
    '/api/internals',
    route(async (_req, res) => res.json(await sampleInternals(deps))),
  );

  app.get(
    '/api/lab/config',
    route(async (_req, res) => res.json(await onEachStack(['monolith', 'micro'], (id) => deps.stacks[id].getConfig()))),
  );
  app.put(
    '/api/lab/config',
    route(async (req, res) => {
      const ids = pickStacks(req.query.target as string | undefined);
      const knobs: Partial<Knobs> = parseInput(knobsSchema, req.body);
      res.json(await onEachStack(ids, (id) => deps.stacks[id].putConfig(knobs)));
    }),
  );
  app.post(
    '/api/lab/reset',
    route(async (req, res) => {
      if (deps.manager.current)
        throw new AppError({
          status: 409,
          code: 'RUN_IN_PROGRESS',
          message: 'A load run is going: cancel it before resetting',
        });
      const ids = pickStacks(req.query.target as string | undefined);
      res.json(await onEachStack(ids, (id) => deps.stacks[id].reset()));
    }),
  );

  app.get(
    '/api/lab/dead-letters',
    route(async (_req, res) => res.json(await deps.stacks.micro.deadLetters())),
  );
  app.post(
    '/api/lab/dead-letters/redrive',
    route(async (req, res) => {
      const { ids } = parseInput(redriveSchema, req.body ?? {});
      res.json(await deps.stacks.micro.redriveDeadLetters(ids));
    }),
  );

  // The Faults view: each stack's faults, the microservices' patterns, the verdict's orders, the scheduler.
  app.use(faultsRouter(deps.stacks, deps.scheduler));

  // The Lessons view: the lessons as data, each step's check and solve on this lab.
  app.use(lessonsRouter(deps.config));

  // The processes the launcher supervises: a kill is a crash, and the launcher restarts the process.
  const processes = new LabProcesses(deps.config.processTable);
  app.get('/api/lab/processes', (_req, res) => {
    res.json(processes.list());
  });
  app.post(
    '/api/lab/processes/:name/kill',
    route(async (req, res) => {
      // Only a name in the launcher's table: anything else, however it is spelt, is 404.
      const target = processes.target(req.params.name as string);
      res.status(202).json({ ...target.process, signal: 'SIGKILL' });
      // Killing the dashboard itself: its answer leaves first.
      if (target.process.pid === process.pid) res.once('finish', () => setTimeout(target.kill, 100));
      else target.kill();
    }),
  );

  app.get(
    '/api/runs',
    route(async (_req, res) => res.json(await deps.runs.list())),
  );
  app.get(
    '/api/runs.csv',
    route(async (_req, res) => {
      res
        .type('text/csv')
        .attachment('checkout-lab-runs.csv')
        .send(runsToCsv(await deps.runs.list(1000)));
    }),
  );
  app.post(
    '/api/runs',
    route(async (req, res) => {
      const settings = parseInput(runSettingsSchema, req.body);
      try {
        res.status(202).json(await deps.manager.start(settings));
      } catch (error) {
        if (error instanceof RunBusyError)
          throw new AppError({ status: 409, code: 'RUN_IN_PROGRESS', message: error.message });
        throw error;
      }
    }),
  );
  app.get('/api/runs/current', (_req, res) => {
    res.json(deps.manager.current);
  });
  // Server-Sent Events: the progress of the active run, pushed as it moves.
  app.get('/api/runs/progress', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (progress: unknown) => res.write(`data: ${JSON.stringify(progress)}\n\n`);
    send(deps.manager.current);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    deps.manager.on('progress', send);
    req.on('close', () => {
      clearInterval(keepAlive);
      deps.manager.off('progress', send);
    });
  });
  app.get(
    '/api/runs/:id',
    route(async (req, res) => {
      const run = await deps.runs.get(runId(req.params.id as string));
      if (!run) throw new AppError({ status: 404, code: 'NOT_FOUND', message: 'No such run' });
      res.json(run);
    }),
  );
  app.get(
    '/api/runs/:id/export.json',
    route(async (req, res) => {
      const run = await deps.runs.get(runId(req.params.id as string));
      if (!run) throw new AppError({ status: 404, code: 'NOT_FOUND', message: 'No such run' });
      res.attachment(`checkout-lab-run-${run.id}.json`).json(run);
    }),
  );
  app.get(
    '/api/runs/:id/export.csv',
    route(async (req, res) => {
      const run = await deps.runs.get(runId(req.params.id as string));
      if (!run) throw new AppError({ status: 404, code: 'NOT_FOUND', message: 'No such run' });
      res.type('text/csv').attachment(`checkout-lab-run-${run.id}.csv`).send(runToCsv(run));
    }),
  );
  app.post(
    '/api/runs/:id/cancel',
    route(async (req, res) => {
      const id = runId(req.params.id as string);
      if (!deps.manager.cancel(id))
        throw new AppError({ status: 409, code: 'NOT_RUNNING', message: `Run #${id} is not running` });
      res.status(202).json({ run_id: id, status: 'cancelling' });
    }),
  );
  app.delete(
    '/api/runs/:id',
    route(async (req, res) => {
      const id = runId(req.params.id as string);
      if (!(await deps.runs.remove(id)))
        throw new AppError({ status: 404, code: 'NOT_FOUND', message: 'No such finished run' });
      res.status(204).end();
    }),
  );
  app.use('/api', notFoundHandler);
  return app;
}

/** Registered after the page's own routes (Vite or the static dist). */
export function finishApp(app: Express, log: (error: unknown) => void): void {
  // A stack that refuses or does not answer is the stack's problem, told as a 502 with the stack's own message.
  app.use((error: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
    if (error instanceof StackError) {
      next(
        new AppError({ status: 502, code: 'STACK_ERROR', message: error.message, details: { stack: error.stack_id } }),
      );
      return;
    }
    next(error);
  });
  app.use(errorHandler((error) => log(error)));
}
