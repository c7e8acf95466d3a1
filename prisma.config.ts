import { defineConfig } from "prisma/config";

// Prisma 7 reads no .env by itself; scripts load it first. Migrations are applied by
// scripts/migrate.ts through the wasm schema engine (see README), `prisma migrate deploy`
// accepts the same history where the schema-engine binary exists.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx prisma/seed.ts" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
