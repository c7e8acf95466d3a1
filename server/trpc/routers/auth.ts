import { clientIp } from "../../auth/client-ip";
import { changePassword } from "../../domain/auth/change-password";
import { getProfile } from "../../domain/auth/get-profile";
import { logOutEverywhere } from "../../domain/auth/log-out-everywhere";
import { registerUser } from "../../domain/auth/register-user";
import { requestPasswordReset } from "../../domain/auth/request-password-reset";
import { resetPassword } from "../../domain/auth/reset-password";
import {
  ZChangePasswordInput,
  ZRegisterInput,
  ZRequestPasswordResetInput,
  ZResetPasswordInput,
  ZUpdateProfileInput,
} from "../../domain/auth/schemas";
import { updateProfile } from "../../domain/auth/update-profile";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../init";

/** Login and logout go through next-auth (/api/auth/*); everything else about accounts is here. */
export const authRouter = createTRPCRouter({
  register: publicProcedure
    .input(ZRegisterInput)
    .mutation(({ ctx, input }) => registerUser(input, { ip: clientIp(ctx.headers) })),
  me: protectedProcedure.query(({ ctx }) => getProfile(ctx.actor)),
  updateProfile: protectedProcedure
    .input(ZUpdateProfileInput)
    .mutation(({ ctx, input }) => updateProfile(ctx.actor, input)),
  changePassword: protectedProcedure
    .input(ZChangePasswordInput)
    .mutation(({ ctx, input }) => changePassword(ctx.actor, input)),
  logOutEverywhere: protectedProcedure.mutation(({ ctx }) => logOutEverywhere(ctx.actor)),
  requestPasswordReset: publicProcedure
    .input(ZRequestPasswordResetInput)
    .mutation(({ ctx, input }) => requestPasswordReset(input, { ip: clientIp(ctx.headers) })),
  resetPassword: publicProcedure.input(ZResetPasswordInput).mutation(({ input }) => resetPassword(input)),
});
