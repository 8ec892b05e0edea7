// Public surface of the users feature.
export { UsersPage } from './routes/UsersPage';
