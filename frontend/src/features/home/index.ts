// Public surface of the home feature (the landing page after sign-in).
export { HomePage } from './routes/HomePage';
