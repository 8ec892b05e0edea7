// Public surface of the alerts feature (the list, one alert, the rules, the notification channels); the navigation's badge
// and the home and host pages read alerts through src/lib/alerts and their own hooks.
export { AlertsPage } from './routes/AlertsPage';
export { AlertDetailPage } from './routes/AlertDetailPage';
export { AlertRulesPage } from './routes/AlertRulesPage';
export { AlertChannelsPage } from './routes/AlertChannelsPage';
