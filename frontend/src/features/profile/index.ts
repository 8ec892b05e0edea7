// Public surface of the profile feature.
export { ProfilePage } from './routes/ProfilePage';
