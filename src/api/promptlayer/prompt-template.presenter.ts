// Turns prompt registry objects into PromptLayer's wire shapes (plus Strata's extra fields, never instead of its own).
import type { PromptReleaseLabelRow, ProviderBaseUrlRow } from '../../db/schema.js';
import {
  presentMetadata,
  type RenderedTemplate,
  type TemplateVersion,
} from '../../prompt-templates/prompt-template.service.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** The fields every template read shares. */
export function presentVersion(t: TemplateVersion) {
  return {
    id: t.template.id,
    prompt_name: t.template.name,
    tags: t.template.tags,
    workspace_id: t.template.workspace_id,
    prompt_template: t.version.prompt_template,
    version: t.version.version_number,
    version_number: t.version.version_number,
    prompt_version_id: t.version.id,
    commit_message: t.version.commit_message,
    metadata: presentMetadata(t.version.metadata),
    provider_base_url_name: t.version.provider_base_url_name,
    release_labels: t.labels,
    created_at: iso(t.version.created_at),
  };
}

/** PromptLayer's CreatePromptTemplateResponse (publish and patch). */
export const presentPublished = (t: TemplateVersion, warnings: string[]) => ({
  success: true,
  ...presentVersion(t),
  external_ids: [],
  warnings,
});

/** PromptLayer's ListPromptTemplateItem. */
export const presentListItem = (t: TemplateVersion) => ({
  ...presentVersion(t),
  llm_kwargs: null,
  external_ids: [],
  is_snippet: false,
  folder_id: null,
});

export function presentBaseUrl(b: ProviderBaseUrlRow) {
  return {
    id: b.id,
    name: b.name,
    provider: b.provider,
    url: b.url,
    is_default: b.is_default === 1,
    created_at: iso(b.created_at),
    updated_at: iso(b.updated_at),
  };
}

/** PromptLayer's GetPromptTemplateResponse (the template fetch of run()). */
export function presentRendered(r: RenderedTemplate, warnings: string[]) {
  return {
    success: true,
    ...presentVersion(r),
    prompt_template: r.prompt_template,
    metadata: r.metadata,
    llm_kwargs: r.llm_kwargs,
    provider_base_url: r.provider_base_url ? presentBaseUrl(r.provider_base_url) : null,
    snippets: [],
    warning: r.warning,
    warnings: [...warnings, ...r.notes],
  };
}

/** PromptLayer's label object of POST /prompts/{id}/label and PATCH /prompt-labels/{id}. */
export function presentLabel(l: PromptReleaseLabelRow & { version_id: number }) {
  return {
    id: l.id,
    name: l.label,
    prompt_id: l.template_id,
    prompt_version_id: l.version_id,
    prompt_version_number: l.version_number,
    created_at: iso(l.created_at),
    updated_at: iso(l.updated_at),
  };
}

/** An item of GET /prompt-templates/{identifier}/labels. */
export function presentLabelRef(l: PromptReleaseLabelRow & { version_id: number }) {
  return {
    release_label_id: l.id,
    release_label: l.label,
    prompt_version_id: l.version_id,
    prompt_version_number: l.version_number,
  };
}
