// Public surface of the snapshots feature (a host's snapshots, refreshing them). The host page
// shows the panel through its snapshots slot, filled in by the app (src/app/routes/HostPage).
export { SnapshotsSection, type SnapshotsSectionProps } from './components/SnapshotsSection';
