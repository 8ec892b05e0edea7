// Public surface of the home feature (the landing page after sign-in: fleet tiles, shortcuts).
export { HomePage } from './routes/HomePage';
