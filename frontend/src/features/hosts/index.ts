// Public surface of the hosts feature (fleet list, enrollment, approval, host detail). The host
// page has slots for the snapshots and schedules panels, which the app fills from those features.
export { HostsPage } from './routes/HostsPage';
export { HostDetailPage, type HostDetailPageProps, type HostSchedulesProps, type HostSnapshotsProps } from './routes/HostDetailPage';
