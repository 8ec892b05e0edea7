// /hosts/:id: the hosts feature's page with the snapshots feature's panel in its slot. Features
// do not import each other, so the app composes them here.
import { HostDetailPage } from '@/features/hosts';
import { SnapshotsSection } from '@/features/snapshots';

export function HostPage() {
  return <HostDetailPage snapshots={SnapshotsSection} />;
}
