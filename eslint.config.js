import js from "@eslint/js";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

/**
 * Layers (see ../shared/style.md): app/ and components/ -> server/trpc -> server/domain ->
 * server infrastructure; worker/ -> server/. Imports flow one way, and these rules keep it so.
 */

// The domain's folders, top to bottom: each may import only the folders after it.
const DOMAIN_LAYERS = ["admin", "auth", "billing", "backups", "instances", "plans"];

// Infrastructure: shared by the domain, never calling it (nor the web-only tRPC layer).
const INFRASTRUCTURE = [
  "./server/*.ts",
  // Every folder of server/ but the domain, the web-only tRPC layer and auth (below).
  "./server/!(domain|trpc|auth|generated)/**",
  // server/auth/config.ts is next-auth's configuration: an entry point of the web, like server/trpc.
  "./server/auth/!(config).ts",
];

// The only server modules shared UI may import at run time: pure rules and schemas, no db or
// engine code. Type-only imports (the tRPC router's types) are always allowed.
const COMPONENTS_MAY_IMPORT = [
  "auth/password-policy",
  "domain/backups/backup-rules",
  "domain/instances/instance-status",
  "domain/instances/schemas",
  "generated/prisma/enums",
];
const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// Between the processes' code, for every file, tests included: a test that drives the worker's
// processors goes through testing/job-workers.ts; a test of a route handler lives beside it in app/.
const processZones = [
  {
    target: "./server",
    from: ["./worker", "./app", "./components"],
    message: "server/ is shared by the web and the worker: it never imports worker/, app/ or components/.",
  },
  {
    target: "./worker",
    from: ["./app", "./components"],
    message: "worker/ builds on server/ only.",
  },
];

// Inside server/, for its code (tests may set up their subject with the domain above it).
const layerZones = [
  {
    target: INFRASTRUCTURE,
    from: ["./server/domain", "./server/trpc"],
    message: "Infrastructure never calls the domain: move the shared piece down, or let the caller pass it in.",
  },
  {
    target: "./server/domain",
    from: ["./server/trpc"],
    message: "The domain is transport-free: it never imports the tRPC layer.",
  },
  ...DOMAIN_LAYERS.map((layer, index) => ({
    target: `./server/domain/${layer}`,
    from: DOMAIN_LAYERS.slice(0, index).map((above) => `./server/domain/${above}`),
    message: `domain/${layer} sits below ${DOMAIN_LAYERS.slice(0, index).join(", ")}: it must not import them (order: ${DOMAIN_LAYERS.join(" > ")}).`,
  })).filter((zone) => zone.from.length > 0),
];

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", "server/generated/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks, "import-x": importX },
    settings: {
      // Without these, import-x reads only .js files and no-cycle sees no TypeScript cycle at all.
      "import-x/extensions": importX.flatConfigs.typescript.settings["import-x/extensions"],
      "import-x/parsers": importX.flatConfigs.typescript.settings["import-x/parsers"],
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": ["error", { allow: ["error", "warn"] }],
      "import-x/no-restricted-paths": ["error", { zones: [...processZones, ...layerZones] }],
      // No file circles; type-only imports create no run-time cycle and are left out.
      "import-x/no-cycle": ["error", { ignoreExternal: true, allowUnsafeDynamicCyclicDependency: false }],
    },
  },
  {
    files: ["**/*.test.ts"],
    rules: { "import-x/no-restricted-paths": ["error", { zones: processZones }] },
  },
  {
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: `^(@/|(\\.\\./)+)server/(?!(${COMPONENTS_MAY_IMPORT.map(escapeRegex).join("|")})$)`,
              allowTypeImports: true,
              message: `components/ may import from server/ only the pure modules listed in eslint.config.js (COMPONENTS_MAY_IMPORT): server/${COMPONENTS_MAY_IMPORT.join(", server/")}.`,
            },
          ],
        },
      ],
    },
  },
  {
    // Command-line scripts and the seed talk to the operator on the console.
    files: ["scripts/**", "prisma/seed.ts", "testing/**", "e2e/**"],
    rules: { "no-console": "off" },
  },
  {
    files: ["**/*.{js,mjs}"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
