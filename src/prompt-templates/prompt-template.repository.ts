// All SQL of the prompt registry: templates, their numbered versions, release labels and provider base URLs.
import type { Db, Executor } from '../db/database.js';
import type { DialectCapabilities } from '../db/dialect.js';
import { decodeJson, decodeNullableJson } from '../db/json-columns.js';
import type {
  PromptReleaseLabelRow,
  PromptTemplateRow,
  PromptTemplateVersionRow,
  ProviderBaseUrlRow,
  StoredPromptTemplateRow,
  StoredPromptTemplateVersionRow,
} from '../db/schema.js';

/** A template as read, its tags decoded. */
const decodeTemplate = (r: StoredPromptTemplateRow): PromptTemplateRow => ({
  ...r,
  tags: decodeJson<string[]>(r.tags),
});

/** A version as read, its template and metadata decoded. */
const decodeVersion = (r: StoredPromptTemplateVersionRow): PromptTemplateVersionRow => ({
  ...r,
  prompt_template: decodeJson<Record<string, unknown>>(r.prompt_template),
  metadata: decodeNullableJson<Record<string, unknown>, null>(r.metadata, null),
});

/** The list filters of GET /prompt-templates that Strata evaluates in SQL. */
export interface TemplateListQuery {
  offset: number;
  limit: number;
  label?: string;
  /** Case-insensitive partial match. */
  name?: string;
  /** Every one must be among the template's tags. */
  tags?: string[];
  createdAfter?: number;
  createdBefore?: number;
  updatedAfter?: number;
  updatedBefore?: number;
  sortBy?: 'created_at' | 'updated_at' | 'name' | 'id';
  sortOrder?: 'asc' | 'desc';
}

/** `%`, `_` and the escape character itself, escaped for LIKE … ESCAPE '\\'. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export class PromptTemplateRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: DialectCapabilities,
  ) {}

  async findByName(workspaceId: number, name: string, ex: Executor = this.db): Promise<PromptTemplateRow | undefined> {
    const row = await ex
      .selectFrom('prompt_templates')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name)
      .executeTakeFirst();
    return row && decodeTemplate(row);
  }

  async findById(workspaceId: number, id: number, ex: Executor = this.db): Promise<PromptTemplateRow | undefined> {
    const row = await ex
      .selectFrom('prompt_templates')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && decodeTemplate(row);
  }

  /** The template row locked for the rest of the transaction (PostgreSQL; SQLite transactions are exclusive). */
  async lock(ex: Executor, id: number): Promise<void> {
    let q = ex.selectFrom('prompt_templates').select('id').where('id', '=', id);
    if (this.dialect.supportsSkipLocked) q = q.forUpdate();
    await q.executeTakeFirst();
  }

  async insertTemplate(ex: Executor, workspaceId: number, name: string, tags: string[]): Promise<PromptTemplateRow> {
    const now = Date.now();
    return ex
      .insertInto('prompt_templates')
      .values({ workspace_id: workspaceId, name, tags: JSON.stringify(tags), created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow()
      .then(decodeTemplate);
  }

  async touchTemplate(ex: Executor, id: number, tags?: string[]): Promise<void> {
    await ex
      .updateTable('prompt_templates')
      .set({ updated_at: Date.now(), ...(tags ? { tags: JSON.stringify(tags) } : {}) })
      .where('id', '=', id)
      .execute();
  }

  async insertVersion(
    ex: Executor,
    v: {
      templateId: number;
      versionNumber: number;
      promptTemplate: unknown;
      metadata: unknown;
      commitMessage: string | null;
      providerBaseUrlName?: string | null;
    },
  ): Promise<PromptTemplateVersionRow> {
    return ex
      .insertInto('prompt_template_versions')
      .values({
        template_id: v.templateId,
        version_number: v.versionNumber,
        prompt_template: JSON.stringify(v.promptTemplate),
        metadata: v.metadata === undefined || v.metadata === null ? null : JSON.stringify(v.metadata),
        commit_message: v.commitMessage,
        provider_base_url_name: v.providerBaseUrlName ?? null,
        created_at: Date.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow()
      .then(decodeVersion);
  }

  async latestVersionNumber(ex: Executor, templateId: number): Promise<number> {
    const row = await ex
      .selectFrom('prompt_template_versions')
      .select((eb) => eb.fn.max('version_number').as('v'))
      .where('template_id', '=', templateId)
      .executeTakeFirst();
    return Number(row?.v ?? 0);
  }

  async findVersion(
    templateId: number,
    versionNumber: number,
    ex: Executor = this.db,
  ): Promise<PromptTemplateVersionRow | undefined> {
    const row = await ex
      .selectFrom('prompt_template_versions')
      .selectAll()
      .where('template_id', '=', templateId)
      .where('version_number', '=', versionNumber)
      .executeTakeFirst();
    return row && decodeVersion(row);
  }

  async findLatestVersion(templateId: number, ex: Executor = this.db): Promise<PromptTemplateVersionRow | undefined> {
    const row = await ex
      .selectFrom('prompt_template_versions')
      .selectAll()
      .where('template_id', '=', templateId)
      .orderBy('version_number', 'desc')
      .executeTakeFirst();
    return row && decodeVersion(row);
  }

  /** Points each label at `versionNumber` (a label lives on one version at a time, so this moves it). */
  async setLabels(ex: Executor, templateId: number, labels: string[], versionNumber: number): Promise<void> {
    const now = Date.now();
    for (const label of labels) {
      await ex
        .insertInto('prompt_release_labels')
        .values({ template_id: templateId, label, version_number: versionNumber, created_at: now, updated_at: now })
        .onConflict((oc) =>
          oc.columns(['template_id', 'label']).doUpdateSet({ version_number: versionNumber, updated_at: now }),
        )
        .execute();
    }
  }

  async labelVersion(templateId: number, label: string, ex: Executor = this.db): Promise<number | undefined> {
    const row = await ex
      .selectFrom('prompt_release_labels')
      .select('version_number')
      .where('template_id', '=', templateId)
      .where('label', '=', label)
      .executeTakeFirst();
    return row?.version_number;
  }

  /** Labels of the given templates: template id → version number → labels. */
  async labelsOf(templateIds: number[]): Promise<Map<number, Map<number, string[]>>> {
    const out = new Map<number, Map<number, string[]>>();
    if (templateIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('prompt_release_labels')
      .selectAll()
      .where('template_id', 'in', templateIds)
      .orderBy('label')
      .execute();
    for (const r of rows) {
      const byVersion = out.get(r.template_id) ?? new Map<number, string[]>();
      byVersion.set(r.version_number, [...(byVersion.get(r.version_number) ?? []), r.label]);
      out.set(r.template_id, byVersion);
    }
    return out;
  }

  /** Version numbers that the given labels of the named template point at now. */
  async versionsForLabels(workspaceId: number, name: string, labels: string[]): Promise<number[]> {
    if (labels.length === 0) return [];
    const rows = await this.db
      .selectFrom('prompt_release_labels as l')
      .innerJoin('prompt_templates as t', 't.id', 'l.template_id')
      .select('l.version_number')
      .where('t.workspace_id', '=', workspaceId)
      .where('t.name', '=', name)
      .where('l.label', 'in', labels)
      .execute();
    return rows.map((r) => r.version_number);
  }

  /** A page of templates with their latest version (or the version `label` points at; templates without it are skipped). */
  async list(
    workspaceId: number,
    q: TemplateListQuery,
  ): Promise<{ rows: Array<{ template: PromptTemplateRow; version: PromptTemplateVersionRow }>; total: number }> {
    let base = this.db.selectFrom('prompt_templates as t').where('t.workspace_id', '=', workspaceId);
    if (q.name) base = base.where(this.dialect.ilike('t.name', `%${likeLiteral(q.name)}%`));
    // Tags are a JSON array of strings: an element matches as its quoted JSON text.
    for (const tag of q.tags ?? [])
      base = base.where(this.dialect.ilike('t.tags', `%${likeLiteral(JSON.stringify(tag))}%`));
    if (q.createdAfter !== undefined) base = base.where('t.created_at', '>=', q.createdAfter);
    if (q.createdBefore !== undefined) base = base.where('t.created_at', '<=', q.createdBefore);
    if (q.updatedAfter !== undefined) base = base.where('t.updated_at', '>=', q.updatedAfter);
    if (q.updatedBefore !== undefined) base = base.where('t.updated_at', '<=', q.updatedBefore);
    if (q.label) {
      const label = q.label;
      base = base.where((eb) =>
        eb.exists(
          eb
            .selectFrom('prompt_release_labels as l')
            .select('l.template_id')
            .whereRef('l.template_id', '=', 't.id')
            .where('l.label', '=', label),
        ),
      );
    }
    const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const order = q.sortOrder ?? 'desc';
    let page = base.selectAll('t');
    page = q.sortBy ? page.orderBy(`t.${q.sortBy}`, order).orderBy('t.id', order) : page.orderBy('t.id', 'asc');
    const templates = await page.limit(q.limit).offset(q.offset).execute();
    const rows: Array<{ template: PromptTemplateRow; version: PromptTemplateVersionRow }> = [];
    for (const t of templates) {
      const n = q.label ? await this.labelVersion(t.id, q.label) : undefined;
      const version = n !== undefined ? await this.findVersion(t.id, n) : await this.findLatestVersion(t.id);
      if (version) rows.push({ template: decodeTemplate(t), version });
    }
    return { rows, total: Number(count.n) };
  }

  // ---- release labels by id (PromptLayer's prompt_label_id)

  async labelRows(templateId: number): Promise<PromptReleaseLabelRow[]> {
    return this.db
      .selectFrom('prompt_release_labels')
      .selectAll()
      .where('template_id', '=', templateId)
      .orderBy('label')
      .execute();
  }

  /** A label of a template of the workspace. */
  async findLabel(workspaceId: number, labelId: number): Promise<PromptReleaseLabelRow | undefined> {
    return this.db
      .selectFrom('prompt_release_labels as l')
      .innerJoin('prompt_templates as t', 't.id', 'l.template_id')
      .selectAll('l')
      .where('t.workspace_id', '=', workspaceId)
      .where('l.id', '=', labelId)
      .executeTakeFirst();
  }

  async findLabelByName(templateId: number, label: string): Promise<PromptReleaseLabelRow | undefined> {
    return this.db
      .selectFrom('prompt_release_labels')
      .selectAll()
      .where('template_id', '=', templateId)
      .where('label', '=', label)
      .executeTakeFirst();
  }

  async insertLabel(templateId: number, label: string, versionNumber: number): Promise<PromptReleaseLabelRow> {
    const now = Date.now();
    return this.db
      .insertInto('prompt_release_labels')
      .values({ template_id: templateId, label, version_number: versionNumber, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async moveLabel(labelId: number, versionNumber: number): Promise<PromptReleaseLabelRow> {
    return this.db
      .updateTable('prompt_release_labels')
      .set({ version_number: versionNumber, updated_at: Date.now() })
      .where('id', '=', labelId)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async deleteLabel(labelId: number): Promise<void> {
    await this.db.deleteFrom('prompt_release_labels').where('id', '=', labelId).execute();
  }

  /** Version ids by number, for presenting labels with PromptLayer's prompt_version_id. */
  async versionIds(templateId: number, numbers: number[]): Promise<Map<number, number>> {
    if (numbers.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('prompt_template_versions')
      .select(['id', 'version_number'])
      .where('template_id', '=', templateId)
      .where('version_number', 'in', numbers)
      .execute();
    return new Map(rows.map((r) => [r.version_number, r.id]));
  }

  // ---- provider base URLs

  async listBaseUrls(workspaceId: number): Promise<ProviderBaseUrlRow[]> {
    return this.db
      .selectFrom('provider_base_urls')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('name')
      .execute();
  }

  async findBaseUrl(workspaceId: number, name: string): Promise<ProviderBaseUrlRow | undefined> {
    return this.db
      .selectFrom('provider_base_urls')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async findDefaultBaseUrl(workspaceId: number, provider: string): Promise<ProviderBaseUrlRow | undefined> {
    return this.db
      .selectFrom('provider_base_urls')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('provider', '=', provider)
      .where('is_default', '=', 1)
      .executeTakeFirst();
  }

  /** Creates or replaces the named entry; making it the default clears the provider's previous default. */
  async upsertBaseUrl(
    trx: Executor,
    workspaceId: number,
    v: { name: string; provider: string; url: string; isDefault: boolean },
  ): Promise<ProviderBaseUrlRow> {
    const now = Date.now();
    if (v.isDefault) {
      await trx
        .updateTable('provider_base_urls')
        .set({ is_default: 0 })
        .where('workspace_id', '=', workspaceId)
        .where('provider', '=', v.provider)
        .where('name', '!=', v.name)
        .execute();
    }
    return trx
      .insertInto('provider_base_urls')
      .values({
        workspace_id: workspaceId,
        name: v.name,
        provider: v.provider,
        url: v.url,
        is_default: v.isDefault ? 1 : 0,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['workspace_id', 'name'])
          .doUpdateSet({ provider: v.provider, url: v.url, is_default: v.isDefault ? 1 : 0, updated_at: now }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async deleteBaseUrl(workspaceId: number, name: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('provider_base_urls')
      .where('workspace_id', '=', workspaceId)
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
