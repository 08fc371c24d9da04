// Job `dataset.build_from_filter`: fills a processing draft with the logs its spec selects, then publishes it as the
// group's next version (zero matches → an empty version) and records dataset_version_created_from_filter_params.
import type { JobDefinition } from '../jobs/job-catalogue.js';
import type { VersionPublisher } from '../datasets/version-publisher.js';
import type { DatasetFromLogsService } from './dataset-from-logs.service.js';

export function buildFromFilterJob(
  publisher: VersionPublisher,
  service: DatasetFromLogsService,
): JobDefinition<'dataset.build_from_filter'> {
  return {
    async run({ datasetId, spec, warnings }, ctx) {
      if (!(await publisher.claimDraft(datasetId))) return;
      const writer = await publisher.startRows(datasetId, ctx);
      const { matches, plan } = await service.plan(spec);
      for await (const cells of service.rows(spec, plan, matches, ctx.signal)) await writer.add(cells);
      await writer.flush();
      const rowsAdded = writer.count;
      await publisher.publish(
        ctx,
        datasetId,
        {
          columns: plan.columns,
          rowCount: rowsAdded,
          warnings: [...warnings, ...plan.warnings],
          filterParams: spec.filterParams,
        },
        (d, version) => ({
          workspaceId: d.workspace_id,
          type: 'dataset_version_created_from_filter_params',
          details: { dataset_id: d.id, rows_added: rowsAdded, dataset_version_number: version },
          userId: d.user_id,
        }),
      );
    },
    async onFailed({ datasetId }, message, ctx) {
      // No failure event exists for this source in PromptLayer's catalogue; the failed draft is purged later.
      await publisher.fail(ctx, datasetId, message, () => undefined);
    },
  };
}
