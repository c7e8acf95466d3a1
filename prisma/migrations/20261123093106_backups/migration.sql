-- CreateEnum
CREATE TYPE "BackupKind" AS ENUM ('MANUAL', 'SCHEDULED', 'PRE_UPGRADE', 'PRE_RESTORE', 'FINAL');

-- CreateEnum
CREATE TYPE "BackupStatus" AS ENUM ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateEnum
CREATE TYPE "BackupCopyStatus" AS ENUM ('PENDING', 'STORED', 'FAILED');

-- AlterEnum
ALTER TYPE "InstanceStatus" ADD VALUE 'RESTORING';

-- AlterTable
ALTER TABLE "Instance" ADD COLUMN     "restoreFromBackupId" TEXT;

-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "backupKeepDaily" INTEGER NOT NULL DEFAULT 7,
ADD COLUMN     "backupKeepMonthly" INTEGER NOT NULL DEFAULT 3,
ADD COLUMN     "backupKeepWeekly" INTEGER NOT NULL DEFAULT 4,
ADD COLUMN     "manualBackupsPerDay" INTEGER NOT NULL DEFAULT 5;

-- CreateTable
CREATE TABLE "Backup" (
    "id" TEXT NOT NULL,
    "instanceId" TEXT NOT NULL,
    "kind" "BackupKind" NOT NULL,
    "status" "BackupStatus" NOT NULL DEFAULT 'PENDING',
    "failureReason" TEXT,
    "sizeBytes" BIGINT,
    "sha256" TEXT,
    "odooSeries" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "verifiedAt" TIMESTAMP(3),

    CONSTRAINT "Backup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BackupCopy" (
    "id" TEXT NOT NULL,
    "backupId" TEXT NOT NULL,
    "storage" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "status" "BackupCopyStatus" NOT NULL DEFAULT 'PENDING',
    "error" TEXT,
    "storedAt" TIMESTAMP(3),

    CONSTRAINT "BackupCopy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BackupRestore" (
    "id" TEXT NOT NULL,
    "backupId" TEXT NOT NULL,
    "targetInstanceId" TEXT NOT NULL,
    "inPlace" BOOLEAN NOT NULL,
    "previousStatus" "InstanceStatus",
    "status" "BackupStatus" NOT NULL DEFAULT 'PENDING',
    "failureReason" TEXT,
    "requestedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "BackupRestore_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Backup_instanceId_createdAt_idx" ON "Backup"("instanceId", "createdAt");

-- CreateIndex
CREATE INDEX "Backup_status_idx" ON "Backup"("status");

-- CreateIndex
CREATE UNIQUE INDEX "BackupCopy_backupId_storage_key" ON "BackupCopy"("backupId", "storage");

-- CreateIndex
CREATE INDEX "BackupRestore_backupId_idx" ON "BackupRestore"("backupId");

-- AddForeignKey
ALTER TABLE "Backup" ADD CONSTRAINT "Backup_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "Instance"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BackupCopy" ADD CONSTRAINT "BackupCopy_backupId_fkey" FOREIGN KEY ("backupId") REFERENCES "Backup"("id") ON DELETE CASCADE ON UPDATE CASCADE;
