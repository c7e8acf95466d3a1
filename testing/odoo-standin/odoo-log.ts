// Odoo's log format: `%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s`,
// asctime in UTC with a comma before the milliseconds, dbname `?` outside a database.

export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

export function formatAsctime(date: Date): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())},` +
    pad(date.getUTCMilliseconds(), 3)
  );
}

export function formatLogLine(
  date: Date,
  pid: number,
  level: LogLevel,
  db: string | undefined,
  logger: string,
  message: string,
): string {
  return `${formatAsctime(date)} ${pid} ${level} ${db ?? "?"} ${logger}: ${message}`;
}

export interface OdooLogger {
  log(level: LogLevel, logger: string, message: string, db?: string): void;
  info(logger: string, message: string, db?: string): void;
  warning(logger: string, message: string, db?: string): void;
  error(logger: string, message: string, db?: string): void;
  critical(logger: string, message: string, db?: string): void;
}

export function createOdooLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): OdooLogger {
  const log = (level: LogLevel, logger: string, message: string, db?: string): void => {
    write(formatLogLine(new Date(), process.pid, level, db, logger, message));
  };
  return {
    log,
    info: (logger, message, db) => log("INFO", logger, message, db),
    warning: (logger, message, db) => log("WARNING", logger, message, db),
    error: (logger, message, db) => log("ERROR", logger, message, db),
    critical: (logger, message, db) => log("CRITICAL", logger, message, db),
  };
}
