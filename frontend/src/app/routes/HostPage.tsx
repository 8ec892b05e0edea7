// /hosts/:id: the hosts feature's page with the snapshots feature's panel and the schedules
// feature's tab in its slots. Features do not import each other, so the app composes them here.
import { HostDetailPage } from '@/features/hosts';
import { SchedulesSection } from '@/features/schedules';
import { SnapshotsSection } from '@/features/snapshots';

export function HostPage() {
  return <HostDetailPage snapshots={SnapshotsSection} schedules={SchedulesSection} />;
}
