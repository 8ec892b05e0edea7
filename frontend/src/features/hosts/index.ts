// Public surface of the hosts feature (fleet list, enrollment, approval, host detail).
export { HostsPage } from './routes/HostsPage';
export { HostDetailPage } from './routes/HostDetailPage';
