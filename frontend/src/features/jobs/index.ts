// Public surface of the jobs feature (history and one job, live).
export { JobsPage } from './routes/JobsPage';
export { JobDetailPage } from './routes/JobDetailPage';
