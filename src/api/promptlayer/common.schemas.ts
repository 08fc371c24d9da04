// Schemas shared by PromptLayer-face endpoints: the error body, the dataset objects, paging.
import { z } from 'zod';

export const ErrorResponse = z
  .object({ success: z.literal(false), error: z.string(), message: z.string().optional() })
  .meta({ id: 'ErrorResponse' });

export const DatasetGroup = z
  .object({
    id: z.number().int(),
    name: z.string(),
    workspace_id: z.number().int(),
    is_deleted: z.boolean(),
    created_at: z.string().optional(),
    updated_at: z.string().optional(),
  })
  .meta({ id: 'DatasetGroup' });

export const Dataset = z
  .object({
    id: z.number().int(),
    dataset_group_id: z.number().int(),
    version_number: z.number().int().describe('-1 for a draft'),
    column_names: z.array(z.string()),
    filter_params: z.record(z.string(), z.unknown()).nullable(),
    is_deleted: z.boolean(),
    user_id: z.number().int().nullable(),
    dataset_group: DatasetGroup,
    status: z.enum(['draft', 'processing', 'ready', 'failed']),
    origin: z.enum(['file', 'filter', 'rows', 's3', 'draft']),
    row_count: z.number().int(),
    error: z.string().nullable(),
    warnings: z.array(z.string()),
    file_name: z.string().nullable(),
    source_dataset_id: z.number().int().nullable(),
    created_at: z.string().nullable(),
    updated_at: z.string().nullable(),
  })
  // Not 'Dataset': that OpenAPI name is the Nebius face's dataset; one name for both left this shape undocumented.
  .meta({ id: 'DatasetVersion' });

/** Standard error responses for a route, documented from one place. */
export const errorResponses = (...codes: Array<400 | 401 | 403 | 404 | 409 | 413>) =>
  Object.fromEntries(codes.map((c) => [c, ErrorResponse])) as Record<number, typeof ErrorResponse>;

export const IdParam = z.object({ id: z.coerce.number().int().min(1) });
