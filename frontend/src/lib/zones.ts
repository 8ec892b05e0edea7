// Times as a schedule sees them: a fire instant written in the schedule's own zone (that is
// when it fires on the host), and the IANA zones offered by the editors (backup and drill schedules).
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string, withYear: boolean): Intl.DateTimeFormat {
  const key = `${zone}|${withYear}`;
  let format = formats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions = {
      weekday: 'short',
      year: withYear ? 'numeric' : undefined,
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    };
    try {
      format = new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone });
    } catch {
      // A zone the server knows and this browser does not: UTC, and the zone name says so.
      format = new Intl.DateTimeFormat(undefined, { ...options, timeZone: 'UTC' });
    }
    formats.set(key, format);
  }
  return format;
}

/**
 * "Sun, Dec 7, 03:00 CET": an instant as the clock in `zone` shows it; the year only when it is
 * not this one (a phone line has no room for it, and most fires are days away).
 */
export function formatInZone(value: string, zone: string, now: Date = new Date()): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return formatFor(zone, date.getFullYear() !== now.getFullYear()).format(date);
}

let zones: string[] | null = null;

/** Every IANA zone this browser knows, with UTC first (some browsers leave it out of the list). */
export function timeZones(): string[] {
  if (!zones) {
    let known: string[];
    try {
      known = Intl.supportedValuesOf('timeZone');
    } catch {
      known = [];
    }
    zones = ['UTC', ...known.filter((z) => z !== 'UTC')];
  }
  return zones;
}
