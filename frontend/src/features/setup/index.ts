// Public surface of the setup feature (first-run administrator creation).
export { SetupPage } from './routes/SetupPage';
