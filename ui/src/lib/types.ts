// Wire shapes of the Strata API as the UI reads them, named from the generated OpenAPI types (api-types.gen.ts).
import type { ResponseOf } from './api-schema';
import type { components } from './api-types.gen';

type Schemas = components['schemas'];

export type DatasetGroup = Schemas['DatasetGroup'];

/** A dataset version (or draft) of the PromptLayer face. */
export type Dataset = Schemas['DatasetVersion'];

export type VersionStatus = Dataset['status'];

export type RowsPage = ResponseOf<'/api/public/v2/datasets/{id}/rows', 'GET'>;

export type Me = ResponseOf<'/api/auth/me', 'GET'>;

export type ApiKey = Schemas['ApiKey'];

export type Webhook = Schemas['Webhook'];

export type WebhookDelivery = Schemas['WebhookDelivery'];
