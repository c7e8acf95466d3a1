import { z } from "zod";
import { deleteBackup, listBackups, ownedBackup, presentBackup, requestManualBackup } from "../../domain/backups/manage-backups";
import { requestRestore, ZRestoreInput } from "../../domain/backups/request-restore";
import { ZInstanceId } from "../../domain/instances/schemas";
import { createTRPCRouter, protectedProcedure } from "../init";

const ZBackupId = z.object({ id: z.string().min(1).max(64) });

export const backupsRouter = createTRPCRouter({
  /** A manual backup; while one runs for the instance, that one is returned. */
  create: protectedProcedure.input(ZInstanceId).mutation(({ ctx, input }) => requestManualBackup(ctx.actor, input.id)),
  /** One instance's backups, newest first, with where each is stored. */
  list: protectedProcedure.input(ZInstanceId).query(({ ctx, input }) => listBackups(ctx.actor, input.id)),
  get: protectedProcedure.input(ZBackupId).query(async ({ ctx, input }) => presentBackup(await ownedBackup(ctx.actor, input.id))),
  delete: protectedProcedure.input(ZBackupId).mutation(({ ctx, input }) => deleteBackup(ctx.actor, input.id)),
  restore: protectedProcedure.input(ZRestoreInput).mutation(({ ctx, input }) => requestRestore(ctx.actor, input)),
});
