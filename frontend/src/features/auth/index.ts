// Public surface of the auth feature (sign in / sign out).
export { LoginPage } from './routes/LoginPage';
export { useLogout } from './api';
