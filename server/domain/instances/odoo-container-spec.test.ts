import { describe, expect, it } from "vitest";
import { ZEnvVars } from "./schemas";
import { LABEL } from "../../runtime/container-runtime";
import {
  buildOdooContainerSpec,
  buildOdooInitSpec,
  isCustomerEnvKeyAllowed,
  odooContainerName,
  odooInitContainerName,
  odooVolumeName,
  OdooSpecInputError,
  type OdooSpecInput,
} from "./odoo-container-spec";

const SECRET = "s3cret-db-password";

function input(overrides: {
  instance?: Partial<OdooSpecInput["instance"]>;
  database?: Partial<OdooSpecInput["database"]>;
  firstBoot?: boolean;
  image?: string;
  routing?: OdooSpecInput["routing"];
} = {}): OdooSpecInput {
  return {
    instance: {
      id: "cm1abc234def",
      odooVersion: "17.0",
      subdomain: "acme",
      demoData: false,
      customAddons: [],
      envVars: {},
      cpuLimit: 1.5,
      memoryMb: 2048,
      ...overrides.instance,
    },
    database: {
      host: "host.containers.internal",
      port: 5432,
      name: "odoo_cm1abc234def",
      user: "odoo_cm1abc234def",
      password: SECRET,
      ...overrides.database,
    },
    image: overrides.image ?? "localhost/odoo-standin",
    firstBoot: overrides.firstBoot ?? false,
    routing: overrides.routing ?? { kind: "ports" },
  };
}

const traefik = {
  kind: "traefik",
  network: "saas-edge",
  baseDomain: "odoo.example.com",
  entrypoint: "websecure",
  certResolver: "le",
} as const;

const BASE_ARGS = [
  "--",
  "-d",
  "odoo_cm1abc234def",
  "--db-filter",
  "^odoo_cm1abc234def$",
  "--no-database-list",
  "--proxy-mode",
];

describe("buildOdooContainerSpec: identity and image", () => {
  it("names the container, volume and image deterministically", () => {
    const spec = buildOdooContainerSpec(input());
    expect(spec.name).toBe("odoo-cm1abc234def");
    expect(spec.name).toBe(odooContainerName("cm1abc234def"));
    expect(spec.image).toBe("localhost/odoo-standin:17.0");
    expect(spec.volumes).toEqual([
      {
        name: "odoo-data-cm1abc234def",
        target: "/var/lib/odoo",
        readOnly: false,
        labels: { "saas.managed": "true", "saas.instance-id": "cm1abc234def" },
      },
    ]);
    expect(spec.volume).toEqual(spec.volumes[0]);
    expect(odooVolumeName("cm1abc234def")).toBe("odoo-data-cm1abc234def");
    expect(buildOdooContainerSpec(input({ image: "odoo", instance: { odooVersion: "18.0" } })).image).toBe("odoo:18.0");
  });

  it("refuses an image that already carries a tag or digest", () => {
    expect(() => buildOdooContainerSpec(input({ image: "odoo:17.0" }))).toThrow(OdooSpecInputError);
    expect(() => buildOdooContainerSpec(input({ image: "odoo@sha256:abc" }))).toThrow(OdooSpecInputError);
    // A registry port is not a tag.
    expect(buildOdooContainerSpec(input({ image: "registry.local:5000/odoo" })).image).toBe("registry.local:5000/odoo:17.0");
  });

  it("refuses ids, series and names that would inject into names, labels or arguments", () => {
    const bad: Array<Parameters<typeof input>[0]> = [
      { instance: { id: "a.b" } }, // a dot splits Traefik label paths
      { instance: { id: "x`) || Host(`evil" } },
      { instance: { id: "" } },
      { instance: { odooVersion: "17" } },
      { instance: { odooVersion: "17.0;rm" } },
      { database: { name: "-i" } }, // would become an option
      { database: { name: "acme db" } },
      { database: { user: "postgres" } }, // Odoo refuses it anyway
      { database: { port: 0 } },
      { database: { host: "db\n--db_host=evil" } },
      { database: { password: "" } },
      { instance: { customAddons: ["sale,website"] } }, // comma would add modules
      { instance: { customAddons: ["--load=evil"] } },
      { instance: { cpuLimit: 0 } },
      { instance: { memoryMb: 12.5 } },
      { instance: { workers: -1 } },
    ];
    for (const overrides of bad) {
      expect(() => buildOdooContainerSpec(input(overrides)), JSON.stringify(overrides)).toThrow(OdooSpecInputError);
    }
  });

  it("never puts the password into an error message", () => {
    try {
      buildOdooContainerSpec(input({ database: { name: "bad name" } }));
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(SECRET);
    }
  });
});

describe("buildOdooContainerSpec: arguments", () => {
  it("runs an initialised database with the fixed argument shape", () => {
    expect(buildOdooContainerSpec(input()).args).toEqual(BASE_ARGS);
  });

  it("initialises base and the addons on first boot, without demo data", () => {
    const spec = buildOdooContainerSpec(input({ firstBoot: true, instance: { customAddons: ["sale", "website", "sale", "base"] } }));
    expect(spec.args).toEqual([...BASE_ARGS, "-i", "base,sale,website", "--without-demo=all"]);
  });

  it("keeps demo data when asked", () => {
    const spec = buildOdooContainerSpec(input({ firstBoot: true, instance: { demoData: true } }));
    expect(spec.args).toEqual([...BASE_ARGS, "-i", "base"]);
  });

  it("uses --with-demo from 19.0, where demo data is opt-in", () => {
    expect(buildOdooContainerSpec(input({ firstBoot: true, instance: { odooVersion: "19.0", demoData: true } })).args).toEqual([
      ...BASE_ARGS,
      "-i",
      "base",
      "--with-demo",
    ]);
    expect(buildOdooContainerSpec(input({ firstBoot: true, instance: { odooVersion: "19.0" } })).args).toEqual([...BASE_ARGS, "-i", "base"]);
  });

  it("ignores the demo flag and addons after the first boot", () => {
    const spec = buildOdooContainerSpec(input({ instance: { demoData: true, customAddons: ["sale"] } }));
    expect(spec.args).toEqual(BASE_ARGS);
  });

  it("escapes regex characters of the database name in --db-filter", () => {
    const spec = buildOdooContainerSpec(input({ database: { name: "acme.prod" } }));
    expect(spec.args.slice(0, 5)).toEqual(["--", "-d", "acme.prod", "--db-filter", "^acme\\.prod$"]);
  });

  it("passes --workers only when workers > 0", () => {
    expect(buildOdooContainerSpec(input({ instance: { workers: 0 } })).args).toEqual(BASE_ARGS);
    expect(buildOdooContainerSpec(input({ instance: { workers: 2 } })).args).toEqual([...BASE_ARGS, "--workers", "2"]);
  });
});

describe("buildOdooContainerSpec: environment", () => {
  it("sets the database connection the way the entrypoint reads it", () => {
    expect(buildOdooContainerSpec(input()).env).toEqual({
      HOST: "host.containers.internal",
      PORT: "5432",
      USER: "odoo_cm1abc234def",
      PASSWORD: SECRET,
    });
  });

  it("keeps customer variables but never lets them override the platform's", () => {
    const spec = buildOdooContainerSpec(
      input({
        instance: {
          envVars: {
            TZ: "Europe/Warsaw",
            HOST: "evil.example.com",
            PORT: "1",
            USER: "postgres",
            PASSWORD: "guess",
            PASSWORD_FILE: "/etc/shadow",
            PGPASSWORD: "x",
            PGHOST: "evil",
            pgpassword: "x", // lower case: also refused
            POSTGRES_PASSWORD: "x",
            DB_ENV_POSTGRES_USER: "x",
            ODOO_RC: "/tmp/evil.conf",
            LD_PRELOAD: "/tmp/evil.so",
            PATH: "/tmp",
            "HOST=evil": "x", // '=' in a key would smuggle in another assignment
            "BAD KEY": "x",
            "": "x",
          },
        },
      }),
    );
    expect(spec.env).toEqual({
      TZ: "Europe/Warsaw",
      HOST: "host.containers.internal",
      PORT: "5432",
      USER: "odoo_cm1abc234def",
      PASSWORD: SECRET,
    });
  });

  it("passes values verbatim: newlines and '--' stay inside the variable, never in the arguments", () => {
    const spec = buildOdooContainerSpec(
      input({ instance: { envVars: { NOTE: "line1\nPASSWORD=evil", FLAGS: "-- -d other --db-filter=.*", NUL: "a\0b" } } }),
    );
    expect(spec.env.NOTE).toBe("line1\nPASSWORD=evil");
    expect(spec.env.FLAGS).toBe("-- -d other --db-filter=.*");
    expect(spec.env.PASSWORD).toBe(SECRET);
    expect(spec.env).not.toHaveProperty("NUL"); // execve cannot carry it
    expect(spec.args).toEqual(BASE_ARGS);
  });

  it("isCustomerEnvKeyAllowed", () => {
    expect(isCustomerEnvKeyAllowed("TZ")).toBe(true);
    expect(isCustomerEnvKeyAllowed("STANDIN_BOOT_SECONDS")).toBe(true);
    for (const key of ["HOST", "PGUSER", "Pghost", "PASSWORD_FILE", "ODOO_RC", "LD_LIBRARY_PATH", "1X", "A-B"]) {
      expect(isCustomerEnvKeyAllowed(key), key).toBe(false);
    }
  });

  it("uses the create form's one list of platform keys: what the form refuses, the spec drops", () => {
    const keys = ["HOST", "PORT", "USER", "PASSWORD", "PASSWORD_FILE", "ODOO_RC", "PATH", "PGHOST", "POSTGRES_DB", "DB_NAME", "LD_PRELOAD", "TZ", "ODOO_WORKERS"];
    for (const key of keys) {
      const refusedByForm = !ZEnvVars.safeParse({ [key]: "x" }).success;
      expect(isCustomerEnvKeyAllowed(key), key).toBe(!refusedByForm);
      expect(isCustomerEnvKeyAllowed(key.toLowerCase()), key.toLowerCase()).toBe(!refusedByForm);
    }
  });
});

describe("buildOdooContainerSpec: labels, limits, ports", () => {
  it("labels the container as managed, with instance, series and spec hash", () => {
    const spec = buildOdooContainerSpec(input());
    expect(spec.labels).toEqual({
      "saas.managed": "true",
      "saas.instance-id": "cm1abc234def",
      "saas.series": "17.0",
      "saas.spec-hash": expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("sets CPU, memory and restart policy", () => {
    const spec = buildOdooContainerSpec(input({ instance: { cpuLimit: 1.5, memoryMb: 2048 } }));
    expect(spec.limits).toEqual({ nanoCpus: 1_500_000_000, memoryBytes: 2048 * 1024 * 1024 });
    expect(spec.restartPolicy).toBe("unless-stopped");
    expect(buildOdooContainerSpec(input({ instance: { cpuLimit: 0.1 } })).limits.nanoCpus).toBe(100_000_000);
  });

  it("publishes 8069 on an engine-chosen port of 127.0.0.1 in ports mode", () => {
    const spec = buildOdooContainerSpec(input());
    expect(spec.exposedPorts).toEqual([8069]);
    expect(spec.publishedPorts).toEqual([{ containerPort: 8069, hostPort: 0, hostIp: "127.0.0.1" }]);
    expect(spec.network).toBeNull();
    expect(buildOdooContainerSpec(input({ routing: { kind: "ports", hostIp: "" } })).publishedPorts[0]?.hostIp).toBe("");
  });

  it("routes through Traefik without a published port", () => {
    const spec = buildOdooContainerSpec(input({ routing: traefik }));
    expect(spec.publishedPorts).toEqual([]);
    expect(spec.exposedPorts).toEqual([8069]);
    expect(spec.network).toBe("saas-edge");
    const r = "traefik.http.routers.odoo-cm1abc234def";
    expect(spec.labels).toMatchObject({
      "traefik.enable": "true",
      "traefik.docker.network": "saas-edge",
      [`${r}.rule`]: "Host(`acme.odoo.example.com`)",
      [`${r}.entrypoints`]: "websecure",
      [`${r}.service`]: "odoo-cm1abc234def",
      [`${r}.tls`]: "true",
      [`${r}.tls.certresolver`]: "le",
      "traefik.http.services.odoo-cm1abc234def.loadbalancer.server.port": "8069",
    });
    // Threaded mode (workers 0): the websocket is on 8069, 8072 is closed; no second router.
    expect(Object.keys(spec.labels).filter((k) => k.includes("websocket"))).toEqual([]);
  });

  it("adds the /websocket router to 8072 only with workers", () => {
    const spec = buildOdooContainerSpec(input({ routing: traefik, instance: { workers: 3 } }));
    const r = "traefik.http.routers.odoo-cm1abc234def-websocket";
    expect(spec.labels).toMatchObject({
      [`${r}.rule`]: "Host(`acme.odoo.example.com`) && PathPrefix(`/websocket`)",
      [`${r}.entrypoints`]: "websecure",
      [`${r}.service`]: "odoo-cm1abc234def-websocket",
      [`${r}.tls.certresolver`]: "le",
      "traefik.http.services.odoo-cm1abc234def-websocket.loadbalancer.server.port": "8072",
    });
    expect(spec.exposedPorts).toEqual([8069, 8072]);
  });

  it("leaves TLS out without a cert resolver", () => {
    for (const certResolver of [undefined, ""]) {
      const spec = buildOdooContainerSpec(input({ routing: { ...traefik, certResolver } }));
      expect(Object.keys(spec.labels).filter((k) => k.includes(".tls"))).toEqual([]);
    }
  });

  it("refuses subdomains, domains and names that would break out of the Traefik rule", () => {
    const bad: OdooSpecInput["routing"][] = [
      { ...traefik, baseDomain: "example.com`) || Host(`evil.com" },
      { ...traefik, baseDomain: "Example.com" },
      { ...traefik, entrypoint: "web,websecure" },
      { ...traefik, network: "" },
      { ...traefik, certResolver: "le.x" },
    ];
    for (const routing of bad) expect(() => buildOdooContainerSpec(input({ routing })), JSON.stringify(routing)).toThrow(OdooSpecInputError);
    expect(() => buildOdooContainerSpec(input({ routing: traefik, instance: { subdomain: "a`)||Host(`b" } }))).toThrow(OdooSpecInputError);
    expect(() => buildOdooContainerSpec(input({ routing: traefik, instance: { subdomain: null } }))).toThrow(OdooSpecInputError);
  });
});

describe("buildOdooContainerSpec: spec hash", () => {
  const hash = (i: OdooSpecInput) => buildOdooContainerSpec(i).labels[LABEL.specHash];

  it("is stable for equal inputs, whatever the key order of envVars", () => {
    const a = input({ instance: { envVars: { A: "1", B: "2" } } });
    const b = input({ instance: { envVars: { B: "2", A: "1" } } });
    expect(hash(a)).toBe(hash(b));
    expect(hash(a)).toBe(hash(structuredClone(a)));
  });

  it("changes when anything that shapes the container changes", () => {
    const base = hash(input());
    const variants: OdooSpecInput[] = [
      input({ instance: { memoryMb: 4096 } }),
      input({ instance: { cpuLimit: 2 } }),
      input({ firstBoot: true }),
      input({ instance: { odooVersion: "18.0" } }),
      input({ image: "odoo" }),
      input({ instance: { envVars: { TZ: "UTC" } } }),
      input({ database: { host: "db2" } }),
      input({ database: { user: "odoo_other" } }),
      input({ routing: traefik }),
      input({ instance: { workers: 2 } }),
      // A rotated password only reaches Odoo through a new container.
      input({ database: { password: "rotated-password" } }),
    ];
    const hashes = variants.map(hash);
    for (const h of hashes) expect(h).not.toBe(base);
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it("does not reveal the password", () => {
    const spec = buildOdooContainerSpec(input());
    const labelsText = JSON.stringify(spec.labels);
    expect(labelsText).not.toContain(SECRET);
  });

  it("ignores filtered customer variables (they never reach the container)", () => {
    expect(hash(input({ instance: { envVars: { PGPASSWORD: "x" } } }))).toBe(hash(input()));
  });
});

describe("buildOdooInitSpec: the one-shot container that initialises the database", () => {
  const initInput = (overrides: Parameters<typeof input>[0] = {}) => {
    const { firstBoot: _firstBoot, routing: _routing, ...rest } = input(overrides);
    return rest;
  };

  it("installs base and the addons with the demo choice, then stops: --stop-after-init, no proxy mode", () => {
    const spec = buildOdooInitSpec(initInput({ instance: { customAddons: ["sale_management", "crm"] } }));
    const SERVE_ARGS = BASE_ARGS.filter((arg) => arg !== "--proxy-mode");
    expect(spec.args).toEqual([...SERVE_ARGS, "-i", "base,sale_management,crm", "--without-demo=all", "--stop-after-init"]);
    const demo = buildOdooInitSpec(initInput({ instance: { demoData: true } }));
    expect(demo.args).toEqual([...SERVE_ARGS, "-i", "base", "--stop-after-init"]);
  });

  it("is reachable by nobody and is a task, not the instance's container", () => {
    const spec = buildOdooInitSpec(initInput());
    expect(spec.name).toBe(odooInitContainerName("cm1abc234def"));
    expect(spec.name).not.toBe(odooContainerName("cm1abc234def"));
    expect(spec.publishedPorts).toEqual([]);
    expect(spec.exposedPorts).toEqual([]);
    expect(spec.network).toBeNull();
    expect(spec.restartPolicy).toBe("no");
    expect(spec.labels[LABEL.role]).toBe("task");
    expect(Object.keys(spec.labels).some((key) => key.startsWith("traefik."))).toBe(false);
  });

  it("uses the serving container's database settings, environment, volume, image and limits", () => {
    const serving = buildOdooContainerSpec(input({ instance: { envVars: { TZ: "UTC" } } }));
    const init = buildOdooInitSpec(initInput({ instance: { envVars: { TZ: "UTC" } } }));
    expect(init.env).toEqual(serving.env);
    expect(init.volumes).toEqual(serving.volumes);
    expect(init.image).toBe(serving.image);
    expect(init.limits).toEqual(serving.limits);
  });

  it("a serving spec as the platform builds it (firstBoot false) carries no -i", () => {
    expect(buildOdooContainerSpec(input({ firstBoot: false })).args).not.toContain("-i");
  });
});
