// The composition root: builds repositories, services, job handlers, the HTTP server and the worker from Config.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase, migrateToLatest, type DatabaseHandle } from './db/database.js';
import { createLogger } from './logger.js';
import { createBlobStore } from './storage/index.js';
import type { BlobStore } from './storage/blob-store.js';
import { AuthRepository } from './auth/auth.repository.js';
import { AuthService } from './auth/auth.service.js';
import { JobRepository } from './jobs/job.repository.js';
import { JobQueue } from './jobs/job-queue.js';
import type { JobHandlers } from './jobs/job-catalogue.js';
import { Worker } from './jobs/worker.js';
import type { EventSink } from './events/domain-events.js';
import { DatasetRepository } from './datasets/dataset.repository.js';
import { DatasetService } from './datasets/dataset.service.js';
import { VersionPublisher } from './datasets/version-publisher.js';
import { importFileJob } from './datasets/import-file.job.js';
import { purgeJob } from './datasets/purge.job.js';
import { sweepTemporaryUploads } from './datasets/tmp-sweeper.js';
import { buildServer } from './http/server.js';
import { healthRoutes } from './api/health.routes.js';
import { authRoutes } from './api/promptlayer/auth.routes.js';
import { jobRoutes } from './api/promptlayer/jobs.routes.js';
import { promptLayerDatasetRoutes } from './api/promptlayer/datasets.routes.js';
import { PromptTemplateRepository } from './prompt-templates/prompt-template.repository.js';
import { PromptTemplateService } from './prompt-templates/prompt-template.service.js';
import { RequestLogRepository } from './request-logs/request-log.repository.js';
import { RequestLogService } from './request-logs/request-log.service.js';
import { DEFAULT_LOG_TEXT_INDEXER, LogTextIndexer } from './request-logs/log-text-indexer.js';
import { DatasetFromLogsService } from './request-logs/dataset-from-logs.service.js';
import { buildFromFilterJob } from './request-logs/build-from-filter.job.js';
import { promptTemplateRoutes } from './api/promptlayer/prompt-templates.routes.js';
import { requestLogRoutes } from './api/promptlayer/request-logs.routes.js';
import { datasetFromLogsRoutes } from './api/promptlayer/dataset-from-logs.routes.js';
import { requestSuggestionRoutes } from './api/promptlayer/request-suggestions.routes.js';
import { RequestSuggestionRepository } from './request-logs/request-suggestion.repository.js';
import { RequestSuggestionService } from './request-logs/request-suggestion.service.js';
import { nebiusDatasetRoutes } from './api/nebius/datasets.routes.js';
import { S3ImportRepository } from './datasets/s3-import/s3-import.repository.js';
import { TypedDatasetService } from './datasets/typed-schema/typed-dataset.service.js';
import { s3ImportJob } from './datasets/s3-import/s3-import.job.js';
import { SecretBox } from './security/secret-box.js';
import { EndpointGuard } from './net/s3-endpoint-guard.js';
import { uiRoutes } from './http/ui.routes.js';
import { WebhookRepository } from './webhooks/webhook.repository.js';
import { WebhookService } from './webhooks/webhook.service.js';
import { OutboxEventSink } from './webhooks/outbox-event-sink.js';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import { webhookRoutes } from './api/promptlayer/webhooks.routes.js';
import { DraftRepository } from './datasets/draft.repository.js';
import { DiffRepository } from './datasets/diff.repository.js';
import { DraftService } from './datasets/draft.service.js';
import { DatasetExportService } from './datasets/dataset-export.service.js';
import { DatasetDiffService } from './datasets/dataset-diff.service.js';
import { copyDraftJob, saveDraftJob } from './datasets/draft.jobs.js';
import { draftRoutes } from './api/promptlayer/dataset-drafts.routes.js';
import { datasetStatsRoutes } from './api/promptlayer/dataset-stats.routes.js';
import { ColumnStatsRepository } from './datasets/column-stats.repository.js';
import { ColumnStatsService } from './datasets/column-stats.service.js';
import { columnStatsJob } from './datasets/column-stats.job.js';
import { TraceRepository } from './traces/trace.repository.js';
import { TraceService } from './traces/trace.service.js';
import { TrackRequestService } from './request-logs/track-request.service.js';
import { trackRequestRoutes } from './api/promptlayer/track-request.routes.js';
import { spanRoutes } from './api/promptlayer/spans.routes.js';
import { otlpRoutes } from './api/promptlayer/otlp.routes.js';
import { UploadRepository } from './datasets/uploads/upload.repository.js';
import { UploadService } from './datasets/uploads/upload.service.js';
import { uploadImportJob } from './datasets/uploads/upload-import.job.js';

/** Request bodies of ordinary routes; upload routes allow the file limit in base64. */
const SMALL_BODY_LIMIT = 5 * 1024 * 1024;

export interface App {
  readonly config: Config;
  readonly log: Logger;
  readonly dbh: DatabaseHandle;
  readonly blobs: BlobStore;
  readonly auth: AuthService;
  readonly datasets: DatasetService;
  readonly typedDatasets: TypedDatasetService;
  /** Request-log ingestion without HTTP (the ingestion bench measures the storage work alone through it). */
  readonly requestLogs: RequestLogService;
  readonly jobs: JobRepository;
  readonly server: FastifyInstance | undefined;
  readonly worker: Worker | undefined;
  /** Fills request logs' text index after their acknowledgement (SQLite); tests wait for it with catchUp(). */
  readonly logTextIndexer: LogTextIndexer;
  /** Ensures workspace `default` (and the bootstrap key); returns a new key on first start. */
  bootstrap(): Promise<string | null>;
  /** Starts the worker (if this process has the role) and listens (if it has the api role). */
  start(): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function createApp(config: Config, opts: { logger?: Logger; events?: EventSink } = {}): Promise<App> {
  const log = opts.logger ?? createLogger(config.logLevel);
  const dbh = openDatabase(config.database, {
    ...config.db,
    onConnectionError: (err) => log.warn({ err: err.message }, 'database connection lost; reconnecting'),
  });
  await migrateToLatest(dbh.db);
  const blobs = createBlobStore(config.storage);

  // Repositories
  const authRepo = new AuthRepository(dbh.db);
  const jobRepo = new JobRepository(dbh.db, dbh.dialect);
  const datasetRepo = new DatasetRepository(dbh.db, dbh.dialect);
  const templateRepo = new PromptTemplateRepository(dbh.db, dbh.dialect);
  const requestLogRepo = new RequestLogRepository(dbh.db, dbh.dialect);
  const s3Imports = new S3ImportRepository(dbh.db);
  const webhookRepo = new WebhookRepository(dbh.db, dbh.dialect);
  const draftRepo = new DraftRepository(dbh.dialect);
  const diffRepo = new DiffRepository(dbh.db, dbh.dialect);
  const traceRepo = new TraceRepository(dbh.db);
  const columnStatsRepo = new ColumnStatsRepository(dbh.db);

  // Services
  const auth = new AuthService(authRepo, { jwtSecret: config.jwtSecret, jwtTtlSeconds: config.jwtTtlSeconds });
  await auth.init();
  const queue = new JobQueue(jobRepo, config.worker.maxAttempts);
  const events: EventSink = opts.events ?? new OutboxEventSink(webhookRepo);
  const webhooks = new WebhookService(dbh, webhookRepo, { allowlist: config.outboundAllowlist });
  // Each publication also queues the statistics of the version's first columns (the worker polls: no notify needed).
  const publisher = new VersionPublisher(dbh, datasetRepo, events, config.worker.importBatchRows, (trx, datasetId) =>
    queue.enqueue(trx, 'dataset.column_stats', { datasetId }),
  );
  const datasets = new DatasetService(dbh, datasetRepo, blobs, queue, events, {
    maxFileBytes: config.maxFileBytes,
    syncValidateBytes: config.syncValidateBytes,
  });
  const templates = new PromptTemplateService(dbh, templateRepo);
  const logTextIndexer = new LogTextIndexer(dbh, {
    ...DEFAULT_LOG_TEXT_INDEXER,
    onError: (err) => log.warn({ err }, 'could not index request log text (search scans the unindexed logs)'),
  });
  const requestLogs = new RequestLogService(dbh, requestLogRepo, templates, logTextIndexer);
  const traces = new TraceService(dbh, traceRepo);
  const tracking = new TrackRequestService(requestLogs, traces);
  const suggestions = new RequestSuggestionService(new RequestSuggestionRepository(dbh.db, dbh.dialect));
  const fromLogs = new DatasetFromLogsService(dbh, requestLogRepo, datasetRepo, datasets, templates, queue);
  const secrets = await SecretBox.load(config.secretKey, (k, v) => authRepo.putSettingIfAbsent(k, v));
  const s3Guard = new EndpointGuard(config.outboundAllowlist);
  const typedDatasets = new TypedDatasetService(dbh, s3Imports, datasetRepo, datasets, queue, events, secrets, s3Guard);
  const uploadRepo = new UploadRepository(dbh.db);
  const uploads = new UploadService(uploadRepo, typedDatasets, blobs, config.maxFileBytes);
  const drafts = new DraftService(dbh, datasetRepo, draftRepo, datasets, queue);
  const exports = new DatasetExportService(datasetRepo, datasets, dbh.sqliteFile);
  const diffs = new DatasetDiffService(dbh, datasetRepo, diffRepo, datasets);
  const columnStats = new ColumnStatsService(columnStatsRepo, datasets);

  // Jobs
  const handlers: JobHandlers = {
    'dataset.import_file': importFileJob(publisher, blobs),
    'dataset.build_from_filter': buildFromFilterJob(publisher, fromLogs),
    'dataset.copy_draft': copyDraftJob(dbh, datasetRepo, draftRepo, publisher),
    'dataset.save_draft': saveDraftJob(dbh, datasetRepo, draftRepo, publisher),
    'dataset.column_stats': columnStatsJob(dbh, datasetRepo, columnStatsRepo, columnStats),
    'maintenance.purge': purgeJob(dbh, datasetRepo, jobRepo, {
      retentionMs: config.failedRetentionMs,
      deletedRowsGraceMs: config.deletedRowsGraceMs,
      batchRows: config.worker.importBatchRows,
    }),
    'nebius.s3_import': s3ImportJob({
      dbh,
      imports: s3Imports,
      datasets: datasetRepo,
      publisher,
      secrets,
      guard: s3Guard,
      maxBytes: config.maxFileBytes,
    }),
    'nebius.upload_import': uploadImportJob({ uploads: uploadRepo, datasets: datasetRepo, publisher, blobs }),
  };

  let worker: Worker | undefined;
  let dispatcher: WebhookDispatcher | undefined;
  if (config.roles.includes('worker')) {
    const d = new WebhookDispatcher(dbh, webhookRepo, log, { ...config.webhooks, allowlist: config.outboundAllowlist });
    dispatcher = d;
    worker = new Worker(jobRepo, handlers, log, {
      concurrency: config.worker.concurrency,
      pollMs: config.worker.pollMs,
      leaseMs: config.worker.leaseMs,
      transientWindowMs: config.worker.transientWindowMs,
      transientMaxDelayMs: config.worker.transientMaxDelayMs,
      periodic: [
        // The webhook outbox is polled like the job queue; the dispatcher keeps its own per-endpoint leases.
        { everyMs: config.worker.pollMs, run: () => d.tick() },
        // Finished deliveries are kept for the same retention as failed jobs, then dropped.
        {
          everyMs: 10 * 60_000,
          run: async () => void (await webhookRepo.purgeFinishedDeliveries(Date.now() - config.failedRetentionMs)),
        },
        {
          everyMs: 10 * 60_000,
          run: async () => {
            if (await jobRepo.hasPending('maintenance.purge')) return;
            await queue.enqueue(dbh.db, 'maintenance.purge', {});
            queue.notify();
          },
        },
        // TEMPORARY Nebius datasets already read as gone once expired; this removes them (and frees their names).
        { everyMs: 60_000, run: async () => void (await typedDatasets.expireTemporary()) },
      ],
    });
    const w = worker;
    queue.onEnqueued(() => w.wake());
  }

  const uploadTmpDir = path.join(config.dataDir, 'tmp');
  let server: FastifyInstance | undefined;
  if (config.roles.includes('api')) {
    const uploadBodyLimit = Math.ceil((config.maxFileBytes * 4) / 3) + 1024 * 1024;
    server = await buildServer({ logger: log, bodyLimit: SMALL_BODY_LIMIT, auth });
    await server.register(healthRoutes, { db: dbh.db, roles: config.roles });
    await server.register(authRoutes, { auth });
    await server.register(jobRoutes, { jobs: jobRepo });
    await server.register(promptLayerDatasetRoutes, {
      datasets,
      uploadBodyLimit,
      maxFileBytes: config.maxFileBytes,
      uploadTmpDir,
    });
    await server.register(datasetStatsRoutes, { stats: columnStats });
    await server.register(promptTemplateRoutes, { templates });
    await server.register(requestLogRoutes, { logs: requestLogs });
    await server.register(trackRequestRoutes, { tracking });
    await server.register(spanRoutes, { traces });
    await server.register(otlpRoutes, { traces, bodyLimit: SMALL_BODY_LIMIT });
    await server.register(datasetFromLogsRoutes, { fromLogs });
    await server.register(requestSuggestionRoutes, { suggestions });
    await server.register(nebiusDatasetRoutes, {
      typedDatasets,
      uploads,
      uploadBodyLimit,
      tmpDir: path.join(config.dataDir, 'tmp'),
    });
    // The web UI: its catch-all GET route serves only paths no API route claims (static routes win in the router).
    await server.register(uiRoutes);
    await server.register(webhookRoutes, { webhooks });
    await server.register(draftRoutes, {
      drafts,
      exports,
      diffs,
    });
  }

  const sweepTmp = () =>
    sweepTemporaryUploads(uploadTmpDir, config.tmpMaxAgeMs).then(
      (n) =>
        void (n > 0 && log.info({ removed: n, dir: uploadTmpDir }, 'removed temporary upload files left by a crash')),
      (err) => log.warn({ err }, 'could not sweep temporary upload files'),
    );
  let sweepTimer: NodeJS.Timeout | undefined;

  let closed = false;
  return {
    config,
    log,
    dbh,
    blobs,
    auth,
    datasets,
    typedDatasets,
    requestLogs,
    jobs: jobRepo,
    server,
    worker,
    logTextIndexer,
    async bootstrap() {
      const { newKey } = await auth.bootstrap(config.bootstrapApiKey);
      return newKey;
    },
    async start() {
      // Every process sweeps its own data dir (there is no shared disk in a scaled deployment), at start and periodically.
      await sweepTmp();
      sweepTimer = setInterval(() => void sweepTmp(), Math.min(Math.max(config.tmpMaxAgeMs / 2, 1000), 10 * 60_000));
      sweepTimer.unref();
      worker?.start();
      // Logs a previous process committed but did not index yet (killed, or stopped before its indexer ran).
      logTextIndexer.poke();
      if (!server) return undefined;
      return server.listen({ port: config.port, host: config.host });
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweepTimer);
      if (server) await closeServer(server, config.shutdownGraceMs);
      await dispatcher?.stop();
      await worker?.stop(config.shutdownGraceMs);
      await logTextIndexer.close();
      await dbh.close();
    },
  };
}

/**
 * Stops accepting requests and waits for those still running; past `graceMs` their connections are closed (a client
 * holding a download open, reading nothing, would otherwise keep the process from stopping).
 */
async function closeServer(server: FastifyInstance, graceMs: number): Promise<void> {
  const timer = setTimeout(() => server.server.closeAllConnections(), graceMs);
  try {
    await server.close();
  } finally {
    clearTimeout(timer);
  }
}
