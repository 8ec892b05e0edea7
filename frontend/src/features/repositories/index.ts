// Public surface of the repositories feature: the list and one repository's care page.
export { RepositoriesPage } from './routes/RepositoriesPage';
export { RepositoryDetailPage } from './routes/RepositoryDetailPage';
