// Public surface of the single sign-on feature (the admins' providers page).
export { SsoProvidersPage } from './routes/SsoProvidersPage';
