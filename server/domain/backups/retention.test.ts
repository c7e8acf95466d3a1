import { describe, expect, it } from "vitest";
import { DEFAULT_RETENTION, planRetention, type RetentionBackup, type RetentionPolicy } from "./retention";

const DAY_MS = 86_400_000;
const NOW = new Date("2026-04-10T12:00:00Z");
const ZERO: RetentionPolicy = { daily: 0, weekly: 0, monthly: 0, specialDays: 0, failedDays: 0 };

function backup(
  id: string,
  createdAt: string | Date,
  kind: RetentionBackup["kind"] = "SCHEDULED",
  status: RetentionBackup["status"] = "SUCCEEDED",
): RetentionBackup {
  return { id, createdAt: new Date(createdAt), kind, status };
}

/** A backup `days` days before NOW (fractional days allowed). */
function aged(id: string, days: number, kind: RetentionBackup["kind"], status: RetentionBackup["status"] = "SUCCEEDED") {
  return backup(id, new Date(NOW.getTime() - days * DAY_MS), kind, status);
}

/** One SCHEDULED SUCCEEDED backup a day at 02:00 UTC from 2026-01-01, id = its date. */
function dailyBackups(count: number): RetentionBackup[] {
  const start = Date.UTC(2026, 0, 1, 2);
  return Array.from({ length: count }, (_, i) => {
    const createdAt = new Date(start + i * DAY_MS);
    return backup(createdAt.toISOString().slice(0, 10), createdAt);
  });
}

/** Deterministic shuffle (mulberry32 + Fisher-Yates), so a failure reproduces. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/**
 * Worked out by hand for 2026-01-01..2026-04-10 (one backup a day), default policy, now 2026-04-10:
 * daily   = the 7 days 04-04..04-10
 * weekly  = 04-10 (Fri, week Mon 04-06..Sun 04-12), 04-05 (Sun), 03-29 (Sun), 03-22 (Sun)
 * monthly = 04-10, 03-31, 02-28
 */
const EXPECTED_KEPT_100_DAYS = [
  "2026-02-28",
  "2026-03-22",
  "2026-03-29",
  "2026-03-31",
  "2026-04-04",
  "2026-04-05",
  "2026-04-06",
  "2026-04-07",
  "2026-04-08",
  "2026-04-09",
  "2026-04-10",
];

describe("planRetention: 100 days of daily backups", () => {
  it("the calendar facts the hand-written expectations rely on", () => {
    const weekday = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();
    expect(weekday("2026-04-10")).toBe(5); // Friday
    for (const sunday of ["2026-04-12", "2026-04-05", "2026-03-29", "2026-03-22"]) expect(weekday(sunday)).toBe(0);
    const backups = dailyBackups(100);
    expect(backups[0]?.id).toBe("2026-01-01");
    expect(backups[99]?.id).toBe("2026-04-10");
  });

  it("keeps exactly the hand-computed GFS set with the default policy", () => {
    const backups = dailyBackups(100);
    const { keep, remove } = planRetention(backups, DEFAULT_RETENTION, NOW);

    expect([...keep.keys()]).toEqual(EXPECTED_KEPT_100_DAYS);
    expect(remove).toHaveLength(100 - EXPECTED_KEPT_100_DAYS.length);
    expect(remove).toHaveLength(89);
    expect(remove[0]).toBe("2026-01-01");
    expect(remove.at(-1)).toBe("2026-04-03");
    expect(new Set([...remove, ...keep.keys()]).size).toBe(100);

    expect(keep.get("2026-04-10")).toEqual(["newest", "daily", "weekly", "monthly"]);
    expect(keep.get("2026-04-05")).toEqual(["daily", "weekly"]);
    expect(keep.get("2026-04-04")).toEqual(["daily"]);
    expect(keep.get("2026-03-29")).toEqual(["weekly"]);
    expect(keep.get("2026-03-22")).toEqual(["weekly"]);
    expect(keep.get("2026-03-31")).toEqual(["monthly"]);
    expect(keep.get("2026-02-28")).toEqual(["monthly"]);
  });

  it("pruning every day while adding a backup a day converges to the same set, never over the GFS budget", () => {
    const budget = DEFAULT_RETENTION.daily + DEFAULT_RETENTION.weekly + DEFAULT_RETENTION.monthly;
    let alive: RetentionBackup[] = [];
    for (const next of dailyBackups(100)) {
      alive.push(next);
      const now = new Date(`${next.id}T12:00:00Z`);
      const { keep, remove } = planRetention(alive, DEFAULT_RETENTION, now);
      expect(keep.get(next.id)).toContain("newest");
      const removed = new Set(remove);
      alive = alive.filter((b) => !removed.has(b.id));
      expect(alive.length).toBeLessThanOrEqual(budget);
    }
    expect(alive.map((b) => b.id).sort()).toEqual(EXPECTED_KEPT_100_DAYS);
  });
});

describe("planRetention: GFS buckets", () => {
  it("keeps only the newest backup of a day for 'daily'", () => {
    const backups = [
      backup("d1-early", "2026-04-09T03:00:00Z"),
      backup("d1-late", "2026-04-09T20:00:00Z", "MANUAL"),
      backup("d2-a", "2026-04-10T01:00:00Z"),
      backup("d2-b", "2026-04-10T09:00:00Z", "MANUAL"),
      backup("d2-c", "2026-04-10T11:00:00Z"),
    ];
    const { keep, remove } = planRetention(backups, DEFAULT_RETENTION, NOW);
    expect(remove).toEqual(["d1-early", "d2-a", "d2-b"]);
    expect(keep.get("d2-c")).toEqual(["newest", "daily", "weekly", "monthly"]);
    expect(keep.get("d1-late")).toEqual(["daily"]);
  });

  it("days are UTC days: 23:30 and 00:30 UTC are different days", () => {
    const backups = [backup("before", "2026-04-09T23:30:00Z"), backup("after", "2026-04-10T00:30:00Z"), backup("older", "2026-04-08T12:00:00Z")];
    const { keep, remove } = planRetention(backups, { ...ZERO, daily: 2 }, NOW);
    expect([...keep.keys()]).toEqual(["before", "after"]);
    expect(remove).toEqual(["older"]);
  });

  it("weeks are ISO weeks: Monday-start, spanning New Year", () => {
    // Sun 2025-12-28 ends 2025-W52; Mon 2025-12-29, Thu 2026-01-01 and Sun 2026-01-04 are all 2026-W01.
    const backups = [
      backup("w52-sun", "2025-12-28T10:00:00Z"),
      backup("w01-mon", "2025-12-29T10:00:00Z"),
      backup("w01-thu", "2026-01-01T10:00:00Z"),
      backup("w01-sun", "2026-01-04T10:00:00Z"),
    ];
    const { keep, remove } = planRetention(backups, { ...ZERO, weekly: 2 }, new Date("2026-01-06T00:00:00Z"));
    expect(keep).toEqual(
      new Map([
        ["w52-sun", ["weekly"]],
        ["w01-sun", ["newest", "weekly"]],
      ]),
    );
    expect(remove).toEqual(["w01-mon", "w01-thu"]);
  });

  it("counts only buckets that have backups, skipping gaps", () => {
    const backups = [backup("jan", "2025-01-15T00:00:00Z"), backup("jun", "2025-06-15T00:00:00Z"), backup("apr", "2026-04-01T00:00:00Z")];
    const { keep, remove } = planRetention(backups, { ...DEFAULT_RETENTION, daily: 0, weekly: 0 }, NOW);
    expect([...keep.keys()]).toEqual(["jan", "jun", "apr"]);
    expect(remove).toEqual([]);
  });

  it("a policy value of 0 selects nothing for that rule", () => {
    const backups = [backup("a", "2026-04-08T02:00:00Z"), backup("b", "2026-04-09T02:00:00Z")];
    const { keep, remove } = planRetention(backups, { ...DEFAULT_RETENTION, daily: 0, weekly: 0, monthly: 0 }, NOW);
    expect(keep).toEqual(new Map([["b", ["newest"]]]));
    expect(remove).toEqual(["a"]);
  });
});

describe("planRetention: the newest successful backup", () => {
  it("is kept even when the policy is all zeros", () => {
    const backups = [aged("old", 90, "SCHEDULED"), aged("newest", 5, "MANUAL"), aged("older", 60, "PRE_UPGRADE")];
    const { keep, remove } = planRetention(backups, ZERO, NOW);
    expect(keep).toEqual(new Map([["newest", ["newest"]]]));
    expect(remove).toEqual(["old", "older"]);
  });

  it("can be a special kind, kept past its kind retention", () => {
    const backups = [aged("scheduled", 100, "SCHEDULED"), aged("final", 60, "FINAL")];
    const { keep, remove } = planRetention(backups, DEFAULT_RETENTION, NOW);
    expect(keep.get("final")).toEqual(["newest"]);
    expect(keep.get("scheduled")).toEqual(["daily", "weekly", "monthly"]);
    expect(remove).toEqual([]);
  });

  it("is not a newer FAILED or RUNNING backup", () => {
    const backups = [aged("ok", 40, "SCHEDULED"), aged("failed", 30, "SCHEDULED", "FAILED"), aged("running", 0.1, "SCHEDULED", "RUNNING")];
    const { keep, remove } = planRetention(backups, ZERO, NOW);
    expect(keep.get("ok")).toEqual(["newest"]);
    expect(keep.get("running")).toEqual(["in progress"]);
    expect(keep.has("failed")).toBe(false);
    expect(remove).toEqual(["failed"]);
  });
});

describe("planRetention: special kinds", () => {
  it("keeps PRE_UPGRADE and FINAL while younger than specialDays, removes them after", () => {
    const backups = [
      aged("latest", 1, "SCHEDULED"),
      aged("upgrade-10d", 10, "PRE_UPGRADE"),
      aged("upgrade-40d", 40, "PRE_UPGRADE"),
      aged("final-10d", 10, "FINAL"),
      aged("final-40d", 40, "FINAL"),
      aged("restore-29.9d", 29.9, "PRE_RESTORE"),
      aged("restore-30d", 30, "PRE_RESTORE"),
    ];
    const { keep, remove } = planRetention(backups, DEFAULT_RETENTION, NOW);
    for (const id of ["upgrade-10d", "final-10d", "restore-29.9d"]) expect(keep.get(id)).toEqual(["kind retention"]);
    expect(remove).toEqual(["final-40d", "upgrade-40d", "restore-30d"]);
  });

  it("are never kept by GFS buckets, even as the only backup of their month", () => {
    const backups = [aged("latest", 1, "SCHEDULED"), backup("upgrade-feb", "2026-02-15T00:00:00Z", "PRE_UPGRADE")];
    const { keep, remove } = planRetention(backups, DEFAULT_RETENTION, NOW);
    expect(keep.has("upgrade-feb")).toBe(false);
    expect(remove).toEqual(["upgrade-feb"]);
  });

  it("do not take a GFS slot from ordinary backups", () => {
    const backups = [
      backup("sched-08", "2026-04-08T02:00:00Z"),
      backup("sched-09", "2026-04-09T02:00:00Z"),
      backup("upgrade-10", "2026-04-10T08:00:00Z", "PRE_UPGRADE"),
    ];
    const { keep, remove } = planRetention(backups, { ...ZERO, daily: 2, specialDays: 30 }, NOW);
    expect(keep).toEqual(
      new Map([
        ["sched-08", ["daily"]],
        ["sched-09", ["daily"]],
        ["upgrade-10", ["newest", "kind retention"]],
      ]),
    );
    expect(remove).toEqual([]);
  });
});

describe("planRetention: failed, in-progress and future backups", () => {
  it("keeps FAILED for failedDays, then removes it", () => {
    const backups = [aged("latest", 1, "SCHEDULED"), aged("failed-3d", 3, "SCHEDULED", "FAILED"), aged("failed-20d", 20, "MANUAL", "FAILED")];
    const { keep, remove } = planRetention(backups, DEFAULT_RETENTION, NOW);
    expect(keep.get("failed-3d")).toEqual(["failed, kept for visibility"]);
    expect(remove).toEqual(["failed-20d"]);
  });

  it("keeps RUNNING and PENDING regardless of age or policy", () => {
    const backups = [aged("running", 400, "SCHEDULED", "RUNNING"), aged("pending", 365, "PRE_UPGRADE", "PENDING")];
    const { keep, remove } = planRetention(backups, ZERO, NOW);
    expect(keep).toEqual(
      new Map([
        ["running", ["in progress"]],
        ["pending", ["in progress"]],
      ]),
    );
    expect(remove).toEqual([]);
  });

  it("keeps future-dated backups, which neither count as newest nor take a GFS slot", () => {
    const backups = [
      aged("today", 0.25, "SCHEDULED"),
      aged("yesterday", 1, "SCHEDULED"),
      aged("skewed", -0.1, "SCHEDULED"),
      aged("skewed-failed", -5, "MANUAL", "FAILED"),
    ];
    const { keep, remove } = planRetention(backups, { ...ZERO, daily: 1 }, NOW);
    expect(keep).toEqual(
      new Map([
        ["today", ["newest", "daily"]],
        ["skewed", ["in the future"]],
        ["skewed-failed", ["in the future"]],
      ]),
    );
    expect(remove).toEqual(["yesterday"]);
  });
});

describe("planRetention: determinism and input", () => {
  it("gives the same result whatever the input order", () => {
    const mixed = [
      ...dailyBackups(100),
      backup("manual-same-ms", "2026-04-10T02:00:00Z", "MANUAL"),
      aged("upgrade", 12, "PRE_UPGRADE"),
      aged("failed", 2, "SCHEDULED", "FAILED"),
      aged("running", 0.01, "SCHEDULED", "RUNNING"),
    ];
    const reference = planRetention(mixed, DEFAULT_RETENTION, NOW);
    for (const order of [[...mixed].reverse(), shuffled(mixed, 1), shuffled(mixed, 42), shuffled(mixed, 2026)]) {
      const result = planRetention(order, DEFAULT_RETENTION, NOW);
      expect(result.remove).toEqual(reference.remove);
      expect([...result.keep.entries()]).toEqual([...reference.keep.entries()]);
    }
    // Two backups in the same millisecond: the tie is broken by id, not by input order.
    expect(reference.keep.get("manual-same-ms")).toEqual(["newest", "daily", "weekly", "monthly"]);
    expect(reference.keep.has("2026-04-10")).toBe(false);
  });

  it("returns remove sorted by createdAt ascending and does not mutate the input", () => {
    const backups = [aged("b", 50, "SCHEDULED", "FAILED"), aged("latest", 0.5, "SCHEDULED"), aged("a", 80, "FINAL"), aged("c", 20, "PRE_RESTORE", "FAILED")];
    const before = backups.map((b) => b.id);
    const { remove } = planRetention(backups, DEFAULT_RETENTION, NOW);
    expect(remove).toEqual(["a", "b", "c"]);
    expect(backups.map((b) => b.id)).toEqual(before);
  });

  it("returns an empty plan for no backups", () => {
    const { keep, remove } = planRetention([], DEFAULT_RETENTION, NOW);
    expect(keep.size).toBe(0);
    expect(remove).toEqual([]);
  });

  it("refuses input that would otherwise silently turn into deletions", () => {
    expect(() => planRetention([backup("x", "not a date")], DEFAULT_RETENTION, NOW)).toThrow(RangeError);
    expect(() => planRetention([backup("x", "2026-04-01T00:00:00Z"), backup("x", "2026-04-02T00:00:00Z")], DEFAULT_RETENTION, NOW)).toThrow(/duplicate/);
    expect(() => planRetention([], { ...DEFAULT_RETENTION, daily: -1 }, NOW)).toThrow(/daily/);
    expect(() => planRetention([], { ...DEFAULT_RETENTION, weekly: 1.5 }, NOW)).toThrow(/weekly/);
    expect(() => planRetention([], { ...DEFAULT_RETENTION, failedDays: Number.NaN }, NOW)).toThrow(/failedDays/);
    expect(() => planRetention([], DEFAULT_RETENTION, new Date(Number.NaN))).toThrow(/now/);
  });

  it("has the documented defaults, which callers cannot change by accident", () => {
    expect(DEFAULT_RETENTION).toEqual({ daily: 7, weekly: 4, monthly: 3, specialDays: 30, failedDays: 14 });
    expect(Object.isFrozen(DEFAULT_RETENTION)).toBe(true);
  });
});
