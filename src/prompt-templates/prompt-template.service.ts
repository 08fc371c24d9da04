// Use cases of the prompt registry: publish a version (moving release labels), get one by version or label, list, and
// resolve the template version a request log refers to.
import type { DatabaseHandle } from '../db/database.js';
import type { PromptTemplateRow, PromptTemplateVersionRow } from '../db/schema.js';
import type { Caller } from '../auth/caller.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { PromptTemplateRepository } from './prompt-template.repository.js';

export interface PublishInput {
  prompt_name: string;
  prompt_template: Record<string, unknown>;
  tags?: string[];
  commit_message?: string | null;
  metadata?: Record<string, unknown> | null;
  release_labels?: string[];
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
          if (input.tags) template = { ...template, tags: JSON.stringify(input.tags) };
        }
        const next = (await this.repo.latestVersionNumber(trx, template.id)) + 1;
        const version = await this.repo.insertVersion(trx, {
          templateId: template.id,
          versionNumber: next,
          promptTemplate: input.prompt_template,
          metadata: input.metadata ?? null,
          commitMessage: input.commit_message ?? null,
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
    if (q.version !== undefined && q.label !== undefined) throw new ValidationError('send either version or label, not both');
    let template = await this.repo.findByName(caller.workspaceId, identifier);
    if (!template && /^\d{1,15}$/.test(identifier)) template = await this.repo.findById(caller.workspaceId, Number(identifier));
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

  async list(caller: Caller, q: { page: number; perPage: number; label?: string; name?: string }): Promise<{ items: TemplateVersion[]; total: number }> {
    const { rows, total } = await this.repo.list(caller.workspaceId, { offset: (q.page - 1) * q.perPage, limit: q.perPage, label: q.label, name: q.name });
    const labels = await this.repo.labelsOf(rows.map((r) => r.template.id));
    return { items: rows.map((r) => ({ ...r, labels: labels.get(r.template.id)?.get(r.version.version_number) ?? [] })), total };
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
    if (!template) throw new ValidationError(`${field.name}: prompt template ${JSON.stringify(ref.name ?? ref.id)} does not exist`);
    let versionNumber: number | undefined;
    if (ref.version !== undefined && ref.version !== null) {
      if (!(await this.repo.findVersion(template.id, ref.version))) {
        throw new ValidationError(`${field.version}: prompt template "${template.name}" has no version ${ref.version}`);
      }
      versionNumber = ref.version;
    } else if (ref.label) {
      versionNumber = await this.repo.labelVersion(template.id, ref.label);
      if (versionNumber === undefined) throw new ValidationError(`label: prompt template "${template.name}" has no release label "${ref.label}"`);
    } else {
      versionNumber = (await this.repo.findLatestVersion(template.id))?.version_number;
      if (versionNumber === undefined) throw new ValidationError(`${field.name}: prompt template "${template.name}" has no versions`);
    }
    return { promptId: template.id, promptName: template.name, versionNumber };
  }

  /** Version numbers the labels of a named template point at now (for filters by label). */
  versionsForLabels(workspaceId: number, name: string, labels: string[]): Promise<number[]> {
    return this.repo.versionsForLabels(workspaceId, name, labels);
  }
}

/** Substitutes `{name}` placeholders in text blocks (f-string templates), as PromptLayer renders input variables. */
export function renderTemplate(template: unknown, variables: Record<string, unknown> | undefined): unknown {
  if (!variables || !template || typeof template !== 'object') return template;
  const copy = structuredClone(template) as { type?: string; messages?: Array<{ content?: unknown }>; content?: unknown };
  const render = (s: string) =>
    s.replace(/\{(\w+)(?:[!:][^}]*)?\}/g, (whole, key: string) => (key in variables ? String(variables[key] ?? '') : whole));
  const renderBlocks = (content: unknown) => {
    if (!Array.isArray(content)) return;
    for (const b of content) if (b && typeof b === 'object' && typeof (b as { text?: unknown }).text === 'string') (b as { text: string }).text = render((b as { text: string }).text);
  };
  if (copy.type === 'chat') for (const m of copy.messages ?? []) renderBlocks(m.content);
  else renderBlocks(copy.content);
  return copy;
}
