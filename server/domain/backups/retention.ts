/**
 * Which backups of an instance to keep and which to prune: a grandfather-father-son policy in
 * the spirit of restic's --keep-daily/--keep-weekly/--keep-monthly, plus age limits for the
 * backups GFS must not thin out. Pure (no clock, no I/O), so the pruning job, the UI and the
 * tests all get the same answer from the same inputs.
 *
 * All calendar buckets are UTC, so the outcome does not depend on the server's time zone.
 */

export type RetentionBackup = {
  id: string;
  createdAt: Date;
  kind: "MANUAL" | "SCHEDULED" | "PRE_UPGRADE" | "PRE_RESTORE" | "FINAL";
  status: "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED";
};

export type RetentionPolicy = {
  /** Newest backup of each of the last N UTC days that have backups (default 7). */
  daily: number;
  /** Newest backup of each of the last N ISO weeks that have backups (default 4). */
  weekly: number;
  /** Newest backup of each of the last N UTC months that have backups (default 3). */
  monthly: number;
  /** How long PRE_UPGRADE, PRE_RESTORE and FINAL backups are kept, in days (default 30). */
  specialDays: number;
  /** How long FAILED backup records are kept, in days (default 14). */
  failedDays: number;
};

/** Frozen because it is shared: a caller tweaking "its" copy must not change everyone's policy. */
export const DEFAULT_RETENTION: RetentionPolicy = Object.freeze({
  daily: 7,
  weekly: 4,
  monthly: 3,
  specialDays: 30,
  failedDays: 14,
});

const DAY_MS = 86_400_000;

/** Kinds that GFS thins out; the others are snapshots taken for a specific event. */
const GFS_KINDS: ReadonlySet<RetentionBackup["kind"]> = new Set(["MANUAL", "SCHEDULED"]);

/**
 * Event snapshots (before an upgrade or restore, or the last one before deletion) are kept for a
 * fixed time instead: they matter because of when they were taken, not as a point in a series,
 * and letting them take a GFS slot would push an ordinary backup out.
 */
const SPECIAL_KINDS: ReadonlySet<RetentionBackup["kind"]> = new Set(["PRE_UPGRADE", "PRE_RESTORE", "FINAL"]);

/**
 * Oldest first, ties broken by id, so the plan does not depend on the order the caller passed
 * the backups in (two backups stamped in the same millisecond are not unheard of).
 */
function compareOldestFirst(a: RetentionBackup, b: RetentionBackup): number {
  const byTime = a.createdAt.getTime() - b.createdAt.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** "YYYY-MM-DD" of the UTC calendar day. */
function utcDayKey(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "YYYY-MM" of the UTC calendar month. */
function utcMonthKey(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/**
 * The ISO week (Monday to Sunday, UTC), keyed by its Monday. ISO weeks are exactly the
 * Monday-to-Sunday runs, so this partitions time the same way as (ISO week-year, week number),
 * including weeks that straddle New Year, without the week-53 arithmetic.
 */
function isoWeekKey(date: Date): string {
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const daysSinceMonday = (date.getUTCDay() + 6) % 7;
  return utcDayKey(new Date(midnight - daysSinceMonday * DAY_MS));
}

/**
 * Ids of the newest backup in each of the `count` most recent buckets that contain a backup.
 * Empty buckets are skipped rather than counted, like restic: a paused schedule must not let
 * older backups expire just because the calendar moved on.
 */
function newestPerBucket(newestFirst: readonly RetentionBackup[], count: number, bucketOf: (date: Date) => string): string[] {
  const seen = new Set<string>();
  const picked: string[] = [];
  for (const backup of newestFirst) {
    if (seen.size >= count) break;
    const bucket = bucketOf(backup.createdAt);
    if (seen.has(bucket)) continue;
    seen.add(bucket);
    picked.push(backup.id);
  }
  return picked;
}

/** Strictly younger: at exactly `days` old a backup is due, so the boundary is unambiguous. */
function isYoungerThan(backup: RetentionBackup, days: number, now: Date): boolean {
  return now.getTime() - backup.createdAt.getTime() < days * DAY_MS;
}

function isValidDate(date: Date): boolean {
  return date instanceof Date && !Number.isNaN(date.getTime());
}

/**
 * Refuses bad input instead of guessing: a NaN date or a negative count would otherwise quietly
 * turn into "delete", and deleting backups is the one mistake this code must not make.
 */
function assertValidInput(backups: readonly RetentionBackup[], policy: RetentionPolicy, now: Date): void {
  for (const field of ["daily", "weekly", "monthly"] as const) {
    const value = policy[field];
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`Retention policy ${field} must be a non-negative integer, got ${value}`);
    }
  }
  for (const field of ["specialDays", "failedDays"] as const) {
    const value = policy[field];
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`Retention policy ${field} must be a non-negative number of days, got ${value}`);
    }
  }
  if (!isValidDate(now)) throw new RangeError("Retention: now is not a valid date");
  const ids = new Set<string>();
  for (const backup of backups) {
    if (!isValidDate(backup.createdAt)) throw new RangeError(`Retention: backup ${backup.id} has an invalid createdAt`);
    // Reasons are keyed by id: two backups sharing one would share a verdict.
    if (ids.has(backup.id)) throw new RangeError(`Retention: duplicate backup id ${backup.id}`);
    ids.add(backup.id);
  }
}

/**
 * Returns the ids to delete, and for the kept ones the reasons (for logs/UI/tests).
 *
 * Rules, in UTC:
 * - PENDING/RUNNING are kept ("in progress"): the job still owns them.
 * - Backups dated after `now` are kept ("in the future") and take no part in any other rule, so
 *   clock skew can neither delete them nor let them push a real backup out of its slot.
 * - The newest SUCCEEDED backup of any kind is kept ("newest"), whatever the policy says, so an
 *   instance is never left without a restorable backup.
 * - MANUAL/SCHEDULED SUCCEEDED backups: GFS by day ("daily"), ISO week ("weekly") and month
 *   ("monthly"); the rules are independent and a backup kept by any of them is kept.
 * - PRE_UPGRADE/PRE_RESTORE/FINAL SUCCEEDED backups: kept while younger than `specialDays`
 *   ("kind retention").
 * - FAILED: kept while younger than `failedDays` ("failed, kept for visibility").
 * - Everything else is removed; `remove` is oldest first, and `keep` iterates oldest first too.
 *
 * Throws RangeError on invalid dates, duplicate ids or a negative/non-integer policy.
 */
export function planRetention(
  backups: RetentionBackup[],
  policy: RetentionPolicy,
  now: Date,
): { keep: Map<string, string[]>; remove: string[] } {
  assertValidInput(backups, policy, now);

  const reasons = new Map<string, string[]>();
  const addReason = (id: string, reason: string): void => {
    const list = reasons.get(id);
    if (list) list.push(reason);
    else reasons.set(id, [reason]);
  };

  const oldestFirst = [...backups].sort(compareOldestFirst);
  const newestFirst = [...oldestFirst].reverse();
  const isFuture = (backup: RetentionBackup): boolean => backup.createdAt.getTime() > now.getTime();

  for (const backup of newestFirst) {
    if (backup.status === "PENDING" || backup.status === "RUNNING") addReason(backup.id, "in progress");
    if (isFuture(backup)) addReason(backup.id, "in the future");
  }

  const present = newestFirst.filter((backup) => !isFuture(backup));
  const succeeded = present.filter((backup) => backup.status === "SUCCEEDED");

  const newest = succeeded[0];
  if (newest) addReason(newest.id, "newest");

  const gfs = succeeded.filter((backup) => GFS_KINDS.has(backup.kind));
  for (const id of newestPerBucket(gfs, policy.daily, utcDayKey)) addReason(id, "daily");
  for (const id of newestPerBucket(gfs, policy.weekly, isoWeekKey)) addReason(id, "weekly");
  for (const id of newestPerBucket(gfs, policy.monthly, utcMonthKey)) addReason(id, "monthly");

  for (const backup of succeeded) {
    if (SPECIAL_KINDS.has(backup.kind) && isYoungerThan(backup, policy.specialDays, now)) {
      addReason(backup.id, "kind retention");
    }
  }
  for (const backup of present) {
    if (backup.status === "FAILED" && isYoungerThan(backup, policy.failedDays, now)) {
      addReason(backup.id, "failed, kept for visibility");
    }
  }

  const keep = new Map<string, string[]>();
  const remove: string[] = [];
  for (const backup of oldestFirst) {
    const kept = reasons.get(backup.id);
    if (kept) keep.set(backup.id, kept);
    else remove.push(backup.id);
  }
  return { keep, remove };
}
