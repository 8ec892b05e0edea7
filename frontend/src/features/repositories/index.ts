// Public surface of the repositories feature.
export { RepositoriesPage } from './routes/RepositoriesPage';
