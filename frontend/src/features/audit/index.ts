// Public surface of the audit feature.
export { AuditPage } from './routes/AuditPage';
