import { describe, expect, it } from "vitest";
import {
  dbArgs,
  effectiveConfig,
  filterDatabases,
  isValidDbName,
  OptionError,
  parseConfigFile,
  parseOdooArgs,
  planEntrypoint,
  resolveDbEnv,
  resolveSeries,
  versionInfo,
} from "./options.ts";

describe("entrypoint", () => {
  it("applies the official defaults and fallbacks", () => {
    expect(resolveDbEnv({}, "17.0")).toEqual({ host: "db", port: "5432", user: "odoo", password: "odoo" });
    expect(resolveDbEnv({ HOST: "", PGHOST: "pg", POSTGRES_USER: "u", PGPASSWORD: "p" }, "17.0")).toEqual({
      host: "pg",
      port: "5432",
      user: "u",
      password: "p",
    });
    // 16.0 did not read PG*
    expect(resolveDbEnv({ PGHOST: "pg", PGUSER: "x" }, "16.0")).toEqual({ host: "db", port: "5432", user: "odoo", password: "odoo" });
  });

  it("adds --db_* flags only for keys absent from the config file (17/18) and reads them from it in 16", () => {
    const db = { host: "h", port: "5432", user: "u", password: "p" };
    const conf = "[options]\n  db_host = confhost\n; db_user = commented\n";
    expect(dbArgs(db, "17.0", conf)).toEqual(["--db_port", "5432", "--db_user", "u", "--db_password", "p"]);
    expect(dbArgs(db, "16.0", "[options]\ndb_host = confhost\n")).toEqual([
      "--db_host",
      "confhost",
      "--db_port",
      "5432",
      "--db_user",
      "u",
      "--db_password",
      "p",
    ]);
  });

  it("dispatches like case \"$1\"", () => {
    const extra = ["--db_host", "h"];
    expect(planEntrypoint(["--", "-d", "acme"], extra)).toEqual({ kind: "odoo", args: ["-d", "acme", ...extra], waitForDb: true });
    expect(planEntrypoint(["odoo", "-d", "acme"], extra)).toEqual({ kind: "odoo", args: ["-d", "acme", ...extra], waitForDb: true });
    expect(planEntrypoint(["-d", "acme"], extra)).toEqual({ kind: "odoo", args: ["-d", "acme", ...extra], waitForDb: true });
    expect(planEntrypoint(["--", "scaffold", "x"], extra)).toEqual({ kind: "odoo", args: ["scaffold", "x"], waitForDb: false });
    expect(planEntrypoint(["node", "-e", "1"], extra)).toEqual({ kind: "exec", command: ["node", "-e", "1"] });
  });
});

describe("odoo options", () => {
  it("parses short clusters, long options with = or a separate value, and stops at --", () => {
    const parsed = parseOdooArgs(["-dacme", "--db-filter=^acme$", "-i", "base", "--workers", "2", "--proxy-mode", "--no-database-list", "--", "-u", "x"], "17.0");
    expect(Object.fromEntries(parsed.values)).toEqual({
      db_name: "acme",
      dbfilter: "^acme$",
      init: "base",
      workers: 2,
      proxy_mode: true,
      list_db: false,
    });
    expect(parsed.positional).toEqual(["-u", "x"]);
  });

  it("behaves like optparse on abbreviations, missing values and unknown options", () => {
    expect(parseOdooArgs(["--without=all"], "17.0").values.get("without_demo")).toBe("all");
    // --without-demo takes a value: the next argument is consumed, whatever it is.
    expect(parseOdooArgs(["--without-demo", "--stop-after-init"], "17.0").values.get("without_demo")).toBe("--stop-after-init");
    expect(() => parseOdooArgs(["--bogus"], "17.0")).toThrow(new OptionError("no such option: --bogus"));
    expect(() => parseOdooArgs(["--db"], "17.0")).toThrow(/ambiguous option: --db/);
    expect(() => parseOdooArgs(["--workers=two"], "17.0")).toThrow("option --workers: invalid integer value: 'two'");
    expect(() => parseOdooArgs(["-d"], "17.0")).toThrow("-d option requires 1 argument");
    expect(() => parseOdooArgs(["--proxy-mode=1"], "17.0")).toThrow("--proxy-mode option does not take a value");
    expect(parseOdooArgs(["--longpolling-port=8072"], "17.0").values.get("longpolling_port")).toBe(8072);
    expect(() => parseOdooArgs(["--longpolling-port=8072"], "18.0")).toThrow(OptionError);
  });

  it("takes the command line over the config file over the defaults", () => {
    const file = parseConfigFile("[options]\ndata_dir = /data\nlist_db = False\nworkers = 4\n; workers = 9\n[other]\nworkers = 7\n");
    const config = effectiveConfig(parseOdooArgs(["--workers=1", "-d", "a,b"], "17.0"), "/etc/odoo/odoo.conf", file);
    expect(config).toMatchObject({ dataDir: "/data", listDb: false, workers: 1, dbNames: ["a", "b"], withoutDemo: false, httpPort: 8069 });
    expect(effectiveConfig(parseOdooArgs(["--without-demo=all"], "17.0"), "", new Map()).withoutDemo).toBe(true);
    expect(effectiveConfig(parseOdooArgs([], "17.0"), "", new Map()).dataDir).toBe("/var/lib/odoo");
  });

  it("reads the one-shot init the platform runs: -i list, demo choice, --stop-after-init", () => {
    const args = ["-d", "acme", "-i", "base,sale_management, crm,", "--without-demo=all", "--stop-after-init", "--http-port=8070"];
    expect(effectiveConfig(parseOdooArgs(args, "17.0"), "", new Map())).toMatchObject({
      dbNames: ["acme"],
      init: ["base", "sale_management", "crm"],
      withoutDemo: true,
      stopAfterInit: true,
      httpPort: 8070,
    });
    // optparse accepts any unambiguous prefix; no --stop-after-init means init, then serve.
    expect(effectiveConfig(parseOdooArgs(["--stop", "-i", "base"], "17.0"), "", new Map()).stopAfterInit).toBe(true);
    expect(effectiveConfig(parseOdooArgs(["-i", "base"], "17.0"), "", new Map())).toMatchObject({ stopAfterInit: false, withoutDemo: false });
    expect(() => parseOdooArgs(["--stop-after-init=1"], "17.0")).toThrow("--stop-after-init option does not take a value");
  });
});

describe("database names", () => {
  it("accepts Odoo's pattern only (the name is also a filestore path)", () => {
    expect(isValidDbName("acme_prod-1.x")).toBe(true);
    for (const bad of ["", "a", "../etc", "a/b", 'x"; DROP DATABASE y; --', "a b", "-x", "é".repeat(3), "x".repeat(64)]) {
      expect(isValidDbName(bad)).toBe(false);
    }
  });

  it("filters like odoo.http.db_filter (%h, %d, match at the start)", () => {
    const dbs = ["acme", "acme2", "beta"];
    expect(filterDatabases(dbs, "", "x")).toEqual(dbs);
    expect(filterDatabases(dbs, "^acme$", "x")).toEqual(["acme"]);
    expect(filterDatabases(dbs, "acme", "x")).toEqual(["acme", "acme2"]);
    expect(filterDatabases(dbs, "^%d$", "www.beta.example.com:8069")).toEqual(["beta"]);
    expect(filterDatabases(["a.b.c"], "^%h$", "a.b.c")).toEqual(["a.b.c"]);
    expect(filterDatabases(["axbxc"], "^%h$", "a.b.c")).toEqual([]);
    expect(filterDatabases(dbs, "(", "x")).toEqual([]);
  });
});

describe("series", () => {
  it("comes from the baked env and shapes version()", () => {
    expect(resolveSeries({ ODOO_STANDIN_SERIES: "18.0", ODOO_VERSION: "17.0" })).toBe("18.0");
    expect(resolveSeries({ ODOO_VERSION: "16.0" })).toBe("16.0");
    expect(() => resolveSeries({ ODOO_STANDIN_SERIES: "latest" })).toThrow();
    expect(versionInfo("17.0")).toEqual({
      server_version: "17.0",
      server_version_info: [17, 0, 0, "final", 0, ""],
      server_serie: "17.0",
      protocol_version: 1,
    });
  });
});
