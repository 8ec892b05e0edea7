// Public surface of the hosts feature (fleet list, enrollment, approval, host detail). The host
// page has a slot for the snapshots panel, which the app fills from the snapshots feature.
export { HostsPage } from './routes/HostsPage';
export { HostDetailPage, type HostDetailPageProps, type HostSnapshotsProps } from './routes/HostDetailPage';
