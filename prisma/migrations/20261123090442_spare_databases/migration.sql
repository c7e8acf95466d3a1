-- CreateEnum
CREATE TYPE "SpareDatabaseStatus" AS ENUM ('CREATING', 'READY');

-- CreateTable
CREATE TABLE "SpareDatabase" (
    "id" TEXT NOT NULL,
    "dbServerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "SpareDatabaseStatus" NOT NULL DEFAULT 'CREATING',
    "claimedById" TEXT,
    "claimedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SpareDatabase_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SpareDatabase_name_key" ON "SpareDatabase"("name");

-- CreateIndex
CREATE UNIQUE INDEX "SpareDatabase_claimedById_key" ON "SpareDatabase"("claimedById");

-- CreateIndex
CREATE INDEX "SpareDatabase_dbServerId_status_idx" ON "SpareDatabase"("dbServerId", "status");

-- AddForeignKey
ALTER TABLE "SpareDatabase" ADD CONSTRAINT "SpareDatabase_dbServerId_fkey" FOREIGN KEY ("dbServerId") REFERENCES "DbServer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
