// Use cases of the prompt registry: publish and patch versions (moving release labels), get one by version or label and
// render it for run() (llm_kwargs, provider base URL), list, manage labels and provider base URLs, and resolve the
// template version a request log refers to.
import type { DatabaseHandle } from '../db/database.js';
import type {
  PromptReleaseLabelRow,
  PromptTemplateRow,
  PromptTemplateVersionRow,
  ProviderBaseUrlRow,
} from '../db/schema.js';
import type { Caller } from '../auth/caller.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { PromptTemplateRepository, TemplateListQuery } from './prompt-template.repository.js';
import { buildLlmKwargs, openAiApiType, type ModelSpec } from './llm-kwargs.builder.js';
import { newRenderReport, renderPromptTemplate } from './template-renderer.js';

export interface PublishInput {
  prompt_name: string;
  prompt_template: Record<string, unknown>;
  tags?: string[];
  commit_message?: string | null;
  metadata?: Record<string, unknown> | null;
  release_labels?: string[];
  provider_base_url_name?: string | null;
}

/** The fetch the SDKs make before run(): POST /prompt-templates/{identifier}. */
export interface RenderRequest {
  version?: number;
  label?: string;
  input_variables?: Record<string, unknown>;
  provider?: string;
  model?: string;
  model_parameter_overrides?: Record<string, unknown>;
  /** The JS SDK's cache fetches unrendered and renders itself. */
  skip_input_variable_rendering?: boolean;
}

export interface RenderedTemplate extends TemplateVersion {
  prompt_template: unknown;
  metadata: Record<string, unknown> | null;
  llm_kwargs: Record<string, unknown> | null;
  provider_base_url: ProviderBaseUrlRow | null;
  /** PromptLayer's one-line `warning` (the SDKs print it): missing input variables, an unrenderable stored template. */
  warning: string | null;
  /** Why llm_kwargs is null or incomplete (no provider, a provider Strata builds no requests for). */
  notes: string[];
}

/** PromptLayer's PATCH /rest/prompt-templates/{identifier} body (the fields Strata applies). */
export interface TemplatePatch {
  version?: number;
  label?: string;
  messages?: unknown[] | Record<string, unknown> | null;
  tools?: unknown[] | Record<string, unknown> | null;
  functions?: unknown[] | Record<string, unknown> | null;
  function_call?: unknown;
  tool_choice?: unknown;
  content?: unknown[] | Record<string, unknown> | null;
  model_parameters?: Record<string, unknown> | null;
  response_format?: unknown;
  commit_message?: string | null;
  release_labels?: string[] | null;
}

export interface TemplateVersion {
  template: PromptTemplateRow;
  version: PromptTemplateVersionRow;
  labels: string[];
}

/** What a request log links to once resolved. */
export interface ResolvedPrompt {
  promptId: number;
  promptName: string;
  versionNumber: number;
}

export class PromptTemplateService {
  constructor(
    private readonly dbh: DatabaseHandle,
    private readonly repo: PromptTemplateRepository,
  ) {}

  /** Publishes the next version of the named template (creating the template on first publish) and moves the labels to it. */
  async publish(caller: Caller, input: PublishInput): Promise<TemplateVersion> {
    const name = input.prompt_name.trim();
    if (name === '') throw new ValidationError('prompt_template.prompt_name must not be blank');
    const labels = [...new Set((input.release_labels ?? []).map((l) => l.trim()))];
    if (labels.some((l) => l === '')) throw new ValidationError('release_labels must not contain blank labels');
    const attempt = () =>
      this.dbh.transaction(async (trx) => {
        let template = await this.repo.findByName(caller.workspaceId, name, trx);
        if (!template) template = await this.repo.insertTemplate(trx, caller.workspaceId, name, input.tags ?? []);
        else {
          await this.repo.lock(trx, template.id);
          await this.repo.touchTemplate(trx, template.id, input.tags);
          if (input.tags) template = { ...template, tags: input.tags };
        }
        const next = (await this.repo.latestVersionNumber(trx, template.id)) + 1;
        const version = await this.repo.insertVersion(trx, {
          templateId: template.id,
          versionNumber: next,
          promptTemplate: input.prompt_template,
          metadata: input.metadata ?? null,
          commitMessage: input.commit_message ?? null,
          providerBaseUrlName: input.provider_base_url_name ?? null,
        });
        await this.repo.setLabels(trx, template.id, labels, next);
        return { template, version, labels };
      });
    try {
      return await attempt();
    } catch (err) {
      // Two first publishes of one name raced: the loser retries against the winner's template.
      if (this.dbh.dialect.isUniqueViolation(err)) return attempt();
      throw err;
    }
  }

  /** By name (or numeric id), at `version`, at the version `label` points to, or the latest. */
  async get(caller: Caller, identifier: string, q: { version?: number; label?: string }): Promise<TemplateVersion> {
    if (q.version !== undefined && q.label !== undefined)
      throw new ValidationError('send either version or label, not both');
    let template = await this.repo.findByName(caller.workspaceId, identifier);
    if (!template && /^\d{1,15}$/.test(identifier))
      template = await this.repo.findById(caller.workspaceId, Number(identifier));
    if (!template) throw new NotFoundError('prompt template', identifier);
    let version: PromptTemplateVersionRow | undefined;
    if (q.label !== undefined) {
      const n = await this.repo.labelVersion(template.id, q.label);
      if (n === undefined) throw new NotFoundError(`release label "${q.label}" of prompt template "${template.name}"`);
      version = await this.repo.findVersion(template.id, n);
    } else if (q.version !== undefined) {
      version = await this.repo.findVersion(template.id, q.version);
      if (!version) throw new NotFoundError(`version ${q.version} of prompt template "${template.name}"`);
    } else {
      version = await this.repo.findLatestVersion(template.id);
    }
    if (!version) throw new NotFoundError(`a version of prompt template "${template.name}"`);
    const labels = (await this.repo.labelsOf([template.id])).get(template.id)?.get(version.version_number) ?? [];
    return { template, version, labels };
  }

  async list(
    caller: Caller,
    q: Omit<TemplateListQuery, 'offset' | 'limit'> & { page: number; perPage: number },
  ): Promise<{ items: TemplateVersion[]; total: number }> {
    const { page, perPage, ...filters } = q;
    const { rows, total } = await this.repo.list(caller.workspaceId, {
      ...filters,
      offset: (page - 1) * perPage,
      limit: perPage,
    });
    const labels = await this.repo.labelsOf(rows.map((r) => r.template.id));
    return {
      items: rows.map((r) => ({ ...r, labels: labels.get(r.template.id)?.get(r.version.version_number) ?? [] })),
      total,
    };
  }

  /**
   * The template fetch of run(): the version rendered with the input variables, the provider request (`llm_kwargs`)
   * and the provider base URL. Never throws for what is stored: a template that cannot be rendered comes back as
   * stored, with llm_kwargs null and a `warning`.
   */
  async render(caller: Caller, identifier: string, req: RenderRequest): Promise<RenderedTemplate> {
    const found = await this.get(caller, identifier, { version: req.version, label: req.label });
    const stored: unknown = found.version.prompt_template;
    const metadata = presentMetadata(found.version.metadata);
    const model = (metadata?.model ?? null) as ModelSpec | null; // eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion -- narrows the stored JSON
    const variables = req.input_variables ?? {};
    const warnings: string[] = [];
    let template = stored;
    let llmKwargs: Record<string, unknown> | null;
    const notes: string[] = [];
    try {
      const report = newRenderReport();
      if (!req.skip_input_variable_rendering) template = renderPromptTemplate(stored, variables, report);
      const built = buildLlmKwargs(
        {
          template,
          model,
          provider: req.provider,
          modelName: req.model,
          parameterOverrides: req.model_parameter_overrides,
        },
        variables,
      );
      llmKwargs = built.llm_kwargs;
      notes.push(...built.notes.map((n) => `llm_kwargs: ${n}`));
      if (req.input_variables !== undefined && report.missing.size > 0)
        warnings.push(`Missing input variables: ${[...report.missing].sort().join(', ')}`);
      warnings.push(...report.notes);
    } catch (err) {
      // Only a template stored before publish validated its shape can get here; it must not break the fetch.
      template = stored;
      llmKwargs = null;
      warnings.push(`the stored template could not be rendered (${(err as Error).message}); it is returned as stored`);
    }
    const provider = req.provider ?? model?.provider;
    const baseUrl = await this.baseUrlFor(caller.workspaceId, found.version.provider_base_url_name, provider);
    if (found.version.provider_base_url_name && !baseUrl)
      warnings.push(`provider base URL "${found.version.provider_base_url_name}" is not configured in this workspace`);
    return {
      ...found,
      prompt_template: template,
      metadata,
      llm_kwargs: llmKwargs,
      provider_base_url: baseUrl ?? null,
      warning: warnings.length > 0 ? warnings.join('; ') : null,
      notes,
    };
  }

  /** A version's named entry, else the workspace's default entry for the provider. */
  private async baseUrlFor(
    workspaceId: number,
    name: string | null,
    provider: string | undefined,
  ): Promise<ProviderBaseUrlRow | undefined> {
    if (name) return this.repo.findBaseUrl(workspaceId, name);
    return provider ? this.repo.findDefaultBaseUrl(workspaceId, provider) : undefined;
  }

  /** A new version from a base version with PromptLayer's patch applied; `check` validates the result like a publish. */
  async patch(
    caller: Caller,
    identifier: string,
    p: TemplatePatch,
    check: (template: unknown) => void,
  ): Promise<TemplateVersion> {
    const base = await this.get(caller, identifier, { version: p.version, label: p.label });
    // A copy: the patch edits it in place.
    const template = structuredClone(base.version.prompt_template);
    const chat = template.type === 'chat';
    const chatOnly = (field: string) => {
      if (!chat) throw new ValidationError(`${field} can only be patched on chat templates`);
    };
    if (p.messages !== undefined) {
      chatOnly('messages');
      template.messages = patchList(template.messages, p.messages, 'messages');
    }
    for (const field of ['tools', 'functions'] as const) {
      if (p[field] === undefined) continue;
      chatOnly(field);
      template[field] = p[field] === null ? null : patchList(template[field], p[field], field);
    }
    for (const field of ['function_call', 'tool_choice'] as const) {
      if (p[field] === undefined) continue;
      chatOnly(field);
      template[field] = p[field];
    }
    if (p.content !== undefined) {
      if (chat) throw new ValidationError('content can only be patched on completion templates');
      template.content = patchList(template.content, p.content, 'content');
    }
    check(template);
    const metadata = { ...(base.version.metadata ?? {}) };
    if (p.model_parameters || p.response_format !== undefined) {
      const model =
        metadata.model && typeof metadata.model === 'object'
          ? { ...(metadata.model as Record<string, unknown>) }
          : null;
      if (!model) throw new ValidationError('model_parameters: the base version has no metadata.model to patch');
      if (p.response_format !== undefined && p.model_parameters && 'response_format' in p.model_parameters) {
        throw new ValidationError('send response_format either at the top level or inside model_parameters, not both');
      }
      const params = {
        ...((model.parameters as Record<string, unknown> | undefined) ?? {}),
        ...(p.model_parameters ?? {}),
      };
      if (p.response_format === null) delete params.response_format;
      else if (p.response_format !== undefined) params.response_format = p.response_format;
      metadata.model = { ...model, parameters: params };
    }
    return this.publish(caller, {
      prompt_name: base.template.name,
      prompt_template: template,
      commit_message: p.commit_message ?? null,
      metadata: Object.keys(metadata).length > 0 ? metadata : null,
      release_labels: p.release_labels ?? undefined,
      provider_base_url_name: base.version.provider_base_url_name,
    });
  }

  /** The template's release labels with the version each points at. */
  async labels(
    caller: Caller,
    identifier: string,
  ): Promise<{ template: PromptTemplateRow; labels: Array<PromptReleaseLabelRow & { version_id: number }> }> {
    const { template } = await this.get(caller, identifier, {});
    const rows = await this.repo.labelRows(template.id);
    const ids = await this.repo.versionIds(template.id, [...new Set(rows.map((r) => r.version_number))]);
    return { template, labels: rows.map((r) => ({ ...r, version_id: ids.get(r.version_number) ?? 0 })) };
  }

  async createLabel(
    caller: Caller,
    promptId: number,
    name: string,
    versionNumber: number,
  ): Promise<PromptReleaseLabelRow & { version_id: number }> {
    const template = await this.repo.findById(caller.workspaceId, promptId);
    if (!template) throw new NotFoundError('prompt template', promptId);
    const version = await this.versionOf(template, versionNumber);
    const label = name.trim();
    if (label === '') throw new ValidationError('name must not be blank');
    if (await this.repo.findLabelByName(template.id, label))
      throw new ConflictError(
        `prompt template "${template.name}" already has a release label "${label}"; move it with PATCH /prompt-labels/{id}`,
      );
    try {
      return { ...(await this.repo.insertLabel(template.id, label, versionNumber)), version_id: version.id };
    } catch (err) {
      if (this.dbh.dialect.isUniqueViolation(err))
        throw new ConflictError(`prompt template "${template.name}" already has a release label "${label}"`);
      throw err;
    }
  }

  async moveLabel(
    caller: Caller,
    labelId: number,
    versionNumber: number,
  ): Promise<PromptReleaseLabelRow & { version_id: number }> {
    const label = await this.repo.findLabel(caller.workspaceId, labelId);
    if (!label) throw new NotFoundError('prompt label', labelId);
    const template = await this.repo.findById(caller.workspaceId, label.template_id);
    if (!template) throw new NotFoundError('prompt label', labelId);
    const version = await this.versionOf(template, versionNumber);
    return { ...(await this.repo.moveLabel(labelId, versionNumber)), version_id: version.id };
  }

  async deleteLabel(caller: Caller, labelId: number): Promise<void> {
    if (!(await this.repo.findLabel(caller.workspaceId, labelId))) throw new NotFoundError('prompt label', labelId);
    await this.repo.deleteLabel(labelId);
  }

  private async versionOf(template: PromptTemplateRow, versionNumber: number): Promise<PromptTemplateVersionRow> {
    const version = await this.repo.findVersion(template.id, versionNumber);
    if (!version) throw new NotFoundError(`version ${versionNumber} of prompt template "${template.name}"`);
    return version;
  }

  listBaseUrls(caller: Caller): Promise<ProviderBaseUrlRow[]> {
    return this.repo.listBaseUrls(caller.workspaceId);
  }

  async getBaseUrl(caller: Caller, name: string): Promise<ProviderBaseUrlRow> {
    const row = await this.repo.findBaseUrl(caller.workspaceId, name);
    if (!row) throw new NotFoundError('provider base URL', name);
    return row;
  }

  async putBaseUrl(
    caller: Caller,
    v: { name: string; provider: string; url: string; is_default?: boolean },
  ): Promise<ProviderBaseUrlRow> {
    let url: URL;
    try {
      url = new URL(v.url);
    } catch {
      throw new ValidationError('url must be an absolute http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ValidationError('url must be an absolute http(s) URL');
    return this.dbh.transaction((trx) =>
      this.repo.upsertBaseUrl(trx, caller.workspaceId, {
        name: v.name.trim(),
        provider: v.provider,
        url: v.url,
        isDefault: v.is_default ?? false,
      }),
    );
  }

  async deleteBaseUrl(caller: Caller, name: string): Promise<void> {
    if (!(await this.repo.deleteBaseUrl(caller.workspaceId, name))) throw new NotFoundError('provider base URL', name);
  }

  /**
   * The template version a log refers to, by name or id, at a version number or label (latest when neither).
   * `field` names the request field in error messages.
   */
  async resolve(
    workspaceId: number,
    ref: { name?: string | null; id?: number | null; version?: number | null; label?: string | null },
    field: { name: string; version: string },
  ): Promise<ResolvedPrompt> {
    let template: PromptTemplateRow | undefined;
    if (ref.id !== undefined && ref.id !== null) template = await this.repo.findById(workspaceId, ref.id);
    else if (ref.name) template = await this.repo.findByName(workspaceId, ref.name);
    if (!template)
      throw new ValidationError(`${field.name}: prompt template ${JSON.stringify(ref.name ?? ref.id)} does not exist`);
    let versionNumber: number | undefined;
    if (ref.version !== undefined && ref.version !== null) {
      if (!(await this.repo.findVersion(template.id, ref.version))) {
        throw new ValidationError(`${field.version}: prompt template "${template.name}" has no version ${ref.version}`);
      }
      versionNumber = ref.version;
    } else if (ref.label) {
      versionNumber = await this.repo.labelVersion(template.id, ref.label);
      if (versionNumber === undefined)
        throw new ValidationError(`label: prompt template "${template.name}" has no release label "${ref.label}"`);
    } else {
      versionNumber = (await this.repo.findLatestVersion(template.id))?.version_number;
      if (versionNumber === undefined)
        throw new ValidationError(`${field.name}: prompt template "${template.name}" has no versions`);
    }
    return { promptId: template.id, promptName: template.name, versionNumber };
  }

  /** Version numbers the labels of a named template point at now (for filters by label). */
  versionsForLabels(workspaceId: number, name: string, labels: string[]): Promise<number[]> {
    return this.repo.versionsForLabels(workspaceId, name, labels);
  }
}

/**
 * A version's metadata as every read returns it: stored as published, except that an OpenAI model without `api_type`
 * gets 'chat-completions' (the JS SDK sends anything else to the responses API).
 */
export function presentMetadata(metadata: Record<string, unknown> | null): Record<string, unknown> | null {
  if (metadata === null) return null;
  const model = metadata.model as ModelSpec | null | undefined;
  if (
    model &&
    typeof model === 'object' &&
    (model.provider === 'openai' || model.provider === 'openai.azure') &&
    !model.api_type
  ) {
    return { ...metadata, model: { ...model, api_type: openAiApiType(model) } };
  }
  return metadata;
}

/** PromptLayer's patch of a list: an array replaces it, an object `{"<index>": item}` replaces items by index. */
function patchList(current: unknown, patch: unknown[] | Record<string, unknown> | null, field: string): unknown[] {
  if (patch === null) throw new ValidationError(`${field} must not be null`);
  if (Array.isArray(patch)) return patch;
  const list = Array.isArray(current) ? [...current] : [];
  for (const [key, item] of Object.entries(patch)) {
    if (!/^\d{1,6}$/.test(key) || Number(key) >= list.length)
      throw new ValidationError(
        `${field}: index "${key}" is not an index of the base version's ${list.length} ${field}`,
      );
    list[Number(key)] = item;
  }
  return list;
}
