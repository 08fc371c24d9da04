// Use cases of request logs: ingest (group-committed, acknowledged once durable), track metadata/score/prompt/group,
// read, search with filters, star.
import type { DatabaseHandle } from '../db/database.js';
import type { RequestLogRow } from '../db/schema.js';
import type { Caller } from '../auth/caller.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { parseApiTime } from '../iso-time.js';
import type { PromptTemplateService } from '../prompt-templates/prompt-template.service.js';
import { oversizedMetadata } from '../input-limits.js';
import { blueprintText } from './blueprint-text.js';
import { isDefaultScore } from './score-default.js';
import { GroupCommit } from './group-commit.js';
import type { LogTextIndexer } from './log-text-indexer.js';
import { and, fromFilterGroup, type LogFilter } from './log-filter.js';
import type { FilterGroup } from './log-filter.schema.js';
import type { LogRequestInput, TrackPromptInput } from './request-log.schema.js';
import type { LogOrder, NewLogBundle, RequestLogRepository, SortColumn } from './request-log.repository.js';

type ResolvedPrompt = Awaited<ReturnType<PromptTemplateService['resolve']>>;

/** A stored log and what the caller should know about it (e.g. a template link that could not be made). */
export type LoggedRequest = RequestLogRow & { warnings: string[] };

export interface SearchInput {
  filter_group?: FilterGroup;
  q?: string;
  sort_by?: SortColumn;
  sort_order?: 'asc' | 'desc';
  page: number;
  per_page: number;
}

/** Largest number of logs written in one group commit. */
const MAX_COMMIT_BATCH = 256;

/** A request time (see parseApiTime: unix seconds, epoch ms above 1e11, or ISO 8601) → epoch ms, or a 400. */
export function toEpochMs(v: number | string, field: string): number {
  const ms = parseApiTime(v);
  if (Number.isNaN(ms)) throw new ValidationError(`${field} must be unix seconds or an ISO 8601 date-time`);
  return ms;
}

export class RequestLogService {
  private readonly commits: GroupCommit<NewLogBundle, number>;

  constructor(
    private readonly dbh: DatabaseHandle,
    private readonly repo: RequestLogRepository,
    private readonly templates: PromptTemplateService,
    textIndexer: LogTextIndexer,
  ) {
    this.commits = new GroupCommit(async (bundles) => {
      const ids = await this.dbh.transaction((trx) => this.repo.insertMany(trx, bundles));
      textIndexer.poke();
      return ids;
    }, MAX_COMMIT_BATCH);
  }

  /**
   * Validates and stores one log; resolves once its transaction has committed. A template reference that names no
   * template or version of this workspace does not refuse the log: it is stored unlinked, with a warning.
   */
  async logRequest(caller: Caller, input: LogRequestInput): Promise<LoggedRequest> {
    const warnings: string[] = [];
    const bundle = await this.toBundle(caller.workspaceId, input, warnings);
    const id = await this.commits.submit(bundle);
    // Built from what was committed, so the hot path needs no read-back.
    return {
      warnings,
      ...bundle.log,
      id,
      starred: 0,
      // The values just encoded for storage: the reply is serialized as JSON, so it reads as the stored text would.
      input: input.input,
      output: input.output,
      parameters: input.parameters ?? {},
      prompt_input_variables: input.prompt_input_variables ?? {},
      tags: bundle.tags,
      metadata: bundle.metadata,
      scores: bundle.scores,
      score: bundle.scores.default ?? null,
      trace_id: bundle.log.trace_id ?? null,
      span_id: bundle.log.span_id ?? null,
    };
  }

  private async toBundle(workspaceId: number, input: LogRequestInput, warnings: string[]): Promise<NewLogBundle> {
    const start = toEpochMs(input.request_start_time, 'request_start_time');
    const end = toEpochMs(input.request_end_time, 'request_end_time');
    if (end < start) throw new ValidationError('request_end_time must not be before request_start_time');
    // Checked here, not left to the database: one oversized log would fail every log of its group commit.
    const oversized = oversizedMetadata(input.metadata);
    if (oversized) throw new ValidationError(oversized);
    const prompt = await this.linkTemplate(workspaceId, input, warnings);
    if (
      input.group_id !== undefined &&
      input.group_id !== null &&
      !(await this.repo.groupExists(this.dbh.db, workspaceId, input.group_id))
    ) {
      throw new ValidationError(`group_id: group ${input.group_id} does not exist`);
    }
    const scores: Record<string, number> = {};
    if (input.score !== undefined && input.score !== null && !isDefaultScore(input.score, input.score_name))
      scores[input.score_name?.trim() || 'default'] = input.score;
    return {
      log: {
        workspace_id: workspaceId,
        provider: input.provider,
        model: input.model,
        input: JSON.stringify(input.input),
        output: JSON.stringify(input.output),
        input_text: blueprintText(input.input),
        output_text: blueprintText(input.output),
        parameters: JSON.stringify(input.parameters ?? {}),
        request_start_time: start,
        request_end_time: end,
        latency_ms: end - start,
        input_tokens: input.input_tokens ?? 0,
        output_tokens: input.output_tokens ?? 0,
        price: input.price ?? 0,
        status: input.status ?? 'SUCCESS',
        error_type: input.error_type ?? null,
        error_message: input.error_message ?? null,
        function_name: input.function_name ?? null,
        api_type: input.api_type ?? null,
        group_id: input.group_id ?? null,
        prompt_name: prompt?.promptName ?? null,
        prompt_id: prompt?.promptId ?? null,
        prompt_version_number: prompt?.versionNumber ?? null,
        prompt_input_variables: JSON.stringify(input.prompt_input_variables ?? {}),
        created_at: Date.now(),
        trace_id: input.trace_id ?? null,
        span_id: input.span_id ?? null,
      },
      tags: [...new Set(input.tags ?? [])],
      metadata: { ...(input.metadata ?? {}) },
      scores,
    };
  }

  /** The template version a log names, or undefined (with a warning) when it names one this workspace lacks. */
  private async linkTemplate(
    workspaceId: number,
    input: LogRequestInput,
    warnings: string[],
  ): Promise<ResolvedPrompt | undefined> {
    const hasId = input.prompt_id !== undefined && input.prompt_id !== null;
    if (!input.prompt_name && !hasId) {
      if (input.prompt_version_number !== undefined && input.prompt_version_number !== null) {
        warnings.push(
          'prompt_version_number: ignored without prompt_name or prompt_id; the log is stored without a prompt template',
        );
      }
      return undefined;
    }
    try {
      return await this.templates.resolve(
        workspaceId,
        { name: input.prompt_name, id: input.prompt_id, version: input.prompt_version_number },
        { name: hasId ? 'prompt_id' : 'prompt_name', version: 'prompt_version_number' },
      );
    } catch (err) {
      if (!(err instanceof ValidationError || err instanceof NotFoundError)) throw err;
      warnings.push(`${err.message}; the log is stored without a prompt template`);
      return undefined;
    }
  }

  async trackMetadata(caller: Caller, requestId: number, metadata: Record<string, string>): Promise<RequestLogRow> {
    const oversized = oversizedMetadata(metadata);
    if (oversized) throw new ValidationError(oversized);
    return this.dbh.transaction(async (trx) => {
      const log = await this.repo.lockLog(trx, caller.workspaceId, requestId);
      if (!log) throw new NotFoundError('request log', requestId);
      const merged = await this.repo.mergeMetadata(trx, log, metadata);
      return { ...log, metadata: merged };
    });
  }

  async trackScore(caller: Caller, requestId: number, score: number, name?: string | null): Promise<void> {
    await this.dbh.transaction(async (trx) => {
      const log = await this.repo.lockLog(trx, caller.workspaceId, requestId);
      if (!log) throw new NotFoundError('request log', requestId);
      await this.repo.setScore(trx, log, name?.trim() || 'default', score);
    });
  }

  /** Links a log to a template version (by version number, label, or latest). */
  async trackPrompt(caller: Caller, input: TrackPromptInput): Promise<void> {
    const resolved = await this.templates.resolve(
      caller.workspaceId,
      { name: input.prompt_name, version: input.version, label: input.label },
      { name: 'prompt_name', version: 'version' },
    );
    await this.dbh.transaction(async (trx) => {
      const log = await this.repo.lockLog(trx, caller.workspaceId, input.request_id);
      if (!log) throw new NotFoundError('request log', input.request_id);
      await this.repo.update(trx, log.id, {
        prompt_name: resolved.promptName,
        prompt_id: resolved.promptId,
        prompt_version_number: resolved.versionNumber,
        ...(input.prompt_input_variables
          ? { prompt_input_variables: JSON.stringify(input.prompt_input_variables) }
          : {}),
      });
    });
  }

  async trackGroup(caller: Caller, requestId: number, groupId: number): Promise<void> {
    await this.dbh.transaction(async (trx) => {
      const log = await this.repo.lockLog(trx, caller.workspaceId, requestId);
      if (!log) throw new NotFoundError('request log', requestId);
      if (!(await this.repo.groupExists(trx, caller.workspaceId, groupId))) throw new NotFoundError('group', groupId);
      await this.repo.update(trx, log.id, { group_id: groupId });
    });
  }

  async createGroup(caller: Caller): Promise<number> {
    return this.dbh.transaction((trx) => this.repo.insertGroup(trx, caller.workspaceId));
  }

  async get(caller: Caller, id: number): Promise<RequestLogRow> {
    const log = await this.repo.findById(caller.workspaceId, id);
    if (!log) throw new NotFoundError('request log', id);
    return log;
  }

  async setStarred(caller: Caller, id: number, starred: boolean): Promise<RequestLogRow> {
    return this.dbh.transaction(async (trx) => {
      const log = await this.repo.lockLog(trx, caller.workspaceId, id);
      if (!log) throw new NotFoundError('request log', id);
      await this.repo.update(trx, id, { starred: starred ? 1 : 0 });
      return { ...log, starred: starred ? 1 : 0 };
    });
  }

  async search(caller: Caller, input: SearchInput): Promise<{ items: RequestLogRow[]; total: number }> {
    const parts: LogFilter[] = [];
    if (input.filter_group) parts.push(fromFilterGroup(input.filter_group));
    if (input.q && input.q.trim() !== '') parts.push({ kind: 'q', text: input.q.trim() });
    const filter = parts.length > 0 ? and(parts) : undefined;
    const order: LogOrder = {
      kind: 'column',
      column: input.sort_by ?? 'request_start_time',
      direction: input.sort_order ?? 'desc',
    };
    const [items, total] = await Promise.all([
      this.repo.page(caller.workspaceId, filter, order, (input.page - 1) * input.per_page, input.per_page),
      this.repo.count(caller.workspaceId, filter),
    ]);
    return { items, total };
  }
}
