// Public surface of the schedules feature (a host's schedules, their editor, Run now). The host
// page shows the panel on its Schedules tab through a slot, filled in by the app (src/app/routes/HostPage).
export { SchedulesSection, type SchedulesSectionProps } from './components/SchedulesSection';
