import type { Market } from '@tradeflow/contracts';

/** An instant as a market's wall clock shows it. */
export interface LocalDateTime {
  /** Calendar date, `YYYY-MM-DD`. */
  readonly date: string;
  /** ISO weekday: 1 = Monday ... 7 = Sunday. */
  readonly isoWeekday: number;
  /** `HH:MM`, 24-hour. */
  readonly time: string;
  /** Seconds since local midnight, with milliseconds as the fraction. */
  readonly secondsOfDay: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const WEEKDAY_SHORT = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

// Building a DateTimeFormat costs far more than using one; a process sees only a handful of zones.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock date and time of `instant` in `timeZone` (throws RangeError for an unknown zone). */
export function localDateTime(instant: Date, timeZone: string): LocalDateTime {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  const second = Number(parts.second);
  return {
    date: `${(parts.year ?? '').padStart(4, '0')}-${parts.month}-${parts.day}`,
    isoWeekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
    time: `${parts.hour}:${parts.minute}`,
    // Zone offsets are whole minutes, so the instant's milliseconds are the local ones too.
    secondsOfDay: hour * 3600 + minute * 60 + second + instant.getUTCMilliseconds() / 1000,
  };
}

/**
 * The trading day a trade counts towards for the daily notional total.
 * Chosen: the calendar date of the trade time in its market's time zone, so a day's trades share one key.
 */
export function tradingDay(tradeTime: string | Date, timeZone: string): string {
  return localDateTime(new Date(tradeTime), timeZone).date;
}

function secondsOf(hhmm: string): number {
  const [hours = 0, minutes = 0] = hhmm.split(':').map(Number);
  return hours * 3600 + minutes * 60;
}

/**
 * True when the local time falls on a trading day within the session and outside its breaks.
 * Open and close are inclusive (the closing auction prints at the close), so are a break's edges.
 */
export function isInSession(local: LocalDateTime, market: Market): boolean {
  if (!market.tradingDays.includes(local.isoWeekday)) return false;
  const t = local.secondsOfDay;
  if (t < secondsOf(market.open) || t > secondsOf(market.close)) return false;
  return !(market.breaks ?? []).some((pause) => t > secondsOf(pause.start) && t < secondsOf(pause.end));
}

/** A market's session hours with its breaks cut out ("09:00–11:30, 12:30–15:30"). */
export function describeSessionHours(market: Market): string {
  const pauses = [...(market.breaks ?? [])].sort((a, b) => secondsOf(a.start) - secondsOf(b.start));
  const edges = [market.open, ...pauses.flatMap((pause) => [pause.start, pause.end]), market.close];
  const sessions: string[] = [];
  for (let i = 0; i + 1 < edges.length; i += 2) sessions.push(`${edges[i]}–${edges[i + 1]}`);
  return sessions.join(', ');
}

/** The English name of an ISO weekday (1 → "Monday"). */
export function weekdayName(isoWeekday: number): string {
  return WEEKDAY_NAMES[isoWeekday] ?? `weekday ${isoWeekday}`;
}

/** A market's trading days, with runs compressed ([1,2,3,4,5] → "Mon–Fri", [1,3] → "Mon, Wed"). */
export function describeTradingDays(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const runs: string[] = [];
  let start = 0;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === (sorted[i - 1] ?? 0) + 1) continue;
    const first = WEEKDAY_SHORT[sorted[start] ?? 0] ?? '';
    const last = WEEKDAY_SHORT[sorted[i - 1] ?? 0] ?? '';
    runs.push(i - 1 === start ? first : i - 1 === start + 1 ? `${first}, ${last}` : `${first}–${last}`);
    start = i;
  }
  return runs.join(', ');
}
