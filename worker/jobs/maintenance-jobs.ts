import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import { refillSpareDatabases } from "@/server/db-pool/spare-databases";
import { scheduleBackups } from "@/server/domain/backups/schedule-backups";
import { verifyBackups } from "@/server/domain/backups/verify-backups";
import { runBillingSweep } from "@/server/domain/billing/billing-sweep";
import { rotateDefaultPasswords } from "@/server/domain/instances/odoo-admin-password";
import { reconcileInstances } from "@/server/domain/instances/reconcile-instances";
import {
  JOB,
  QUEUE,
  ZBillingSweepPayload,
  ZCheckOdooPasswordsPayload,
  ZReconcilePayload,
  ZRefillSparesPayload,
  ZScheduleBackupsPayload,
  ZVerifyBackupsPayload,
  ZWorkerHeartbeatPayload,
} from "@/server/queue/queues";
import { workerHeartbeat } from "./worker-heartbeat";

/**
 * The fleet-wide maintenance jobs (one scheduler each, upserted at worker boot): heartbeat,
 * reconcile, spare databases, daily backups, weekly restore tests, billing sweep, the check
 * that no instance's Odoo administrator still accepts admin/admin.
 */
export function maintenanceProcessor(redis: Redis, heartbeat: { engineVersion: string; queues: string[] }) {
  return async (job: Job): Promise<unknown> => {
    switch (job.name) {
      case JOB.workerHeartbeat:
        ZWorkerHeartbeatPayload.parse(job.data);
        return workerHeartbeat(redis, heartbeat);
      case JOB.reconcileInstances:
        ZReconcilePayload.parse(job.data);
        return reconcileInstances();
      case JOB.refillSpareDatabases:
        ZRefillSparesPayload.parse(job.data);
        return refillSpareDatabases();
      case JOB.scheduleBackups:
        ZScheduleBackupsPayload.parse(job.data);
        return scheduleBackups();
      case JOB.verifyBackups:
        ZVerifyBackupsPayload.parse(job.data);
        return verifyBackups();
      case JOB.billingSweep:
        ZBillingSweepPayload.parse(job.data);
        return runBillingSweep();
      case JOB.checkOdooPasswords:
        ZCheckOdooPasswordsPayload.parse(job.data);
        return rotateDefaultPasswords();
      default:
        throw new Error(`unknown job ${job.name} on queue ${QUEUE.maintenance}`);
    }
  };
}
