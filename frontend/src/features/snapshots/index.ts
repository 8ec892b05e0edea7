// Public surface of the snapshots feature (a host's snapshots, refreshing them, browsing one and
// finding files in them). The host page shows the panel through its snapshots slot, filled in by
// the app (src/app/routes/HostPage); the browser and the search are pages of the route table.
export { SnapshotsSection, type SnapshotsSectionProps } from './components/SnapshotsSection';
export { SnapshotBrowserPage } from './routes/SnapshotBrowserPage';
export { SnapshotDiffPage } from './routes/SnapshotDiffPage';
export { SnapshotSearchPage } from './routes/SnapshotSearchPage';
