-- CreateEnum
CREATE TYPE "DbServerStatus" AS ENUM ('ACTIVE', 'DRAINING', 'DISABLED');

-- CreateEnum
CREATE TYPE "InstanceStatus" AS ENUM ('PENDING_PAYMENT', 'PROVISIONING', 'STARTING', 'RUNNING', 'UNHEALTHY', 'STOPPING', 'STOPPED', 'RESTARTING', 'SUSPENDED', 'DELETING', 'DELETED', 'ERROR');

-- CreateEnum
CREATE TYPE "InstanceEventType" AS ENUM ('STATUS', 'STEP', 'ACTION', 'ERROR');

-- CreateTable
CREATE TABLE "Plan" (
    "id" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "cpu" DOUBLE PRECISION NOT NULL,
    "memoryMb" INTEGER NOT NULL,
    "storageGb" INTEGER NOT NULL,
    "maxInstances" INTEGER NOT NULL,
    "allowedSeries" TEXT[],
    "sortOrder" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Plan_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DbServer" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "containerHost" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 5432,
    "managerUser" TEXT NOT NULL,
    "managerPasswordEnc" TEXT NOT NULL,
    "maxInstances" INTEGER NOT NULL DEFAULT 100,
    "status" "DbServerStatus" NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DbServer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Instance" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "subdomain" TEXT,
    "odooVersion" TEXT NOT NULL,
    "planId" TEXT NOT NULL,
    "status" "InstanceStatus" NOT NULL DEFAULT 'PROVISIONING',
    "statusMessage" TEXT,
    "statusChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "adminEmail" TEXT NOT NULL,
    "demoData" BOOLEAN NOT NULL DEFAULT false,
    "customAddons" TEXT[],
    "envVars" JSONB NOT NULL DEFAULT '{}',
    "cpuLimit" DOUBLE PRECISION NOT NULL,
    "memoryMb" INTEGER NOT NULL,
    "storageGb" INTEGER NOT NULL,
    "containerId" TEXT,
    "url" TEXT,
    "dbServerId" TEXT,
    "dbName" TEXT,
    "dbUser" TEXT,
    "dbPasswordEnc" TEXT,
    "initializedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Instance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InstanceEvent" (
    "id" TEXT NOT NULL,
    "instanceId" TEXT NOT NULL,
    "type" "InstanceEventType" NOT NULL,
    "fromStatus" "InstanceStatus",
    "toStatus" "InstanceStatus",
    "message" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InstanceEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DbServer_name_key" ON "DbServer"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Instance_subdomain_key" ON "Instance"("subdomain");

-- CreateIndex
CREATE INDEX "Instance_ownerId_idx" ON "Instance"("ownerId");

-- CreateIndex
CREATE INDEX "Instance_status_idx" ON "Instance"("status");

-- CreateIndex
CREATE INDEX "Instance_dbServerId_idx" ON "Instance"("dbServerId");

-- CreateIndex
CREATE INDEX "InstanceEvent_instanceId_createdAt_idx" ON "InstanceEvent"("instanceId", "createdAt");

-- AddForeignKey
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_dbServerId_fkey" FOREIGN KEY ("dbServerId") REFERENCES "DbServer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InstanceEvent" ADD CONSTRAINT "InstanceEvent_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "Instance"("id") ON DELETE CASCADE ON UPDATE CASCADE;
