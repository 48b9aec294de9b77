export { compileCalendar, InvalidCalendarError, type CompiledCalendar } from './compile.ts';
export {
  addBusinessMinutes,
  addMinutes,
  businessMinutesBetween,
  businessMinutesExcludingPauses,
  minutesBetween,
  minutesBetweenExcludingPauses,
} from './business-time.ts';
export {
  checkException,
  checkTimeZone,
  checkWeeklyHours,
  type CalendarException,
  type CalendarSpec,
  type HoursRange,
  type WeeklyHours,
} from './spec.ts';
export { japaneseHolidays } from './japanese-holidays.ts';
export { MAX_INSTANT, MIN_INSTANT, OutOfRangeError } from './zone.ts';
export { parseIsoDate } from './civil.ts';
export { dayPlans, type DayPlan } from './day-plan.ts';
