import type { HarnessConfig } from '../config/load-config.ts';
import { dropTracking, preRemovalChecks, restoreTracking, trackingObjects } from '../db/tracking-removal.ts';
import { HarnessError } from '../errors/harness-error.ts';
import { withCliPool } from './cli-pool.ts';

/** `tickstock db drop-tracking`: spec 002 Phase 1's checks printed, then Phase 3's drops (with --yes). */
export const dropTrackingCommand = (config: HarnessConfig, flags: { databaseUrl?: string; yes: boolean }) =>
  withCliPool(config, flags.databaseUrl, async (db) => {
    const before = await trackingObjects(db);
    if (!before.tableExists) return console.log('integration_events is already gone; nothing to drop.');
    const checks = await preRemovalChecks(db);
    console.log(
      `integration_events: ${checks.totalEvents} events, last ${checks.lastEvent?.toISOString() ?? 'never'}, ${checks.uniqueFlows} distinct flows, ${checks.tableSize}`,
    );
    if (!flags.yes)
      throw new HarnessError(
        'CLI_CONFIRM',
        'Dropping tracking deletes those rows.',
        'Back them up if they matter (pg_dump -t integration_events), then run again with --yes.',
      );
    await dropTracking(db);
    const after = await trackingObjects(db);
    console.log(
      `dropped: log_integration_event() ${after.functionExists ? 'STILL THERE' : 'gone'}, pattern_flow_analysis ${after.viewExists ? 'STILL THERE' : 'gone'}, integration_events ${after.tableExists ? 'STILL THERE' : 'gone'}`,
    );
    console.log(
      'run producers and consumers with ENABLE_INTEGRATION_TRACKING=false (or TRACKING_SINK=events); `tickstock db restore-tracking` undoes this.',
    );
  });

/** `tickstock db restore-tracking`: the table, indexes, view and function again (empty). */
export const restoreTrackingCommand = (config: HarnessConfig, flags: { databaseUrl?: string }) =>
  withCliPool(config, flags.databaseUrl, async (db) => {
    await restoreTracking(db);
    const now = await trackingObjects(db);
    console.log(
      `restored: integration_events ${now.tableExists}, pattern_flow_analysis ${now.viewExists}, log_integration_event() ${now.functionExists}`,
    );
  });
