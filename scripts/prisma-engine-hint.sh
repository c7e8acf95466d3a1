#!/bin/sh
# Stand-in for Prisma's schema-engine binary, which cannot be downloaded here. Pointing
# PRISMA_SCHEMA_ENGINE_BINARY at an existing file stops `prisma generate` from downloading it;
# anything that really needs the engine lands here instead.
echo "schema-engine binary is not installed on this machine." >&2
echo "Migrations run through the wasm engine: npm run db:migrate | db:migration -- <name> | db:status" >&2
echo "(tsx scripts/migrate.ts deploy|create|status|check)" >&2
exit 1
