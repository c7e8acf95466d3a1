import { z } from "zod";
import { ZPassword } from "../../auth/password-policy";

export const ZEmail = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address" }).max(254));

const ZName = z.string().trim().min(1, { message: "Enter your name" }).max(100);
const ZCompany = z
  .string()
  .trim()
  .max(100)
  .nullish()
  .transform((value) => (value ? value : null));

export const ZRegisterInput = z.object({
  name: ZName,
  email: ZEmail,
  password: ZPassword,
  company: ZCompany,
});
export type TRegisterInput = z.input<typeof ZRegisterInput>;

export const ZLoginInput = z.object({
  email: ZEmail,
  password: z.string().min(1, { message: "Enter your password" }).max(256),
});

export const ZUpdateProfileInput = z.object({ name: ZName, company: ZCompany });

export const ZChangePasswordInput = z.object({
  currentPassword: z.string().min(1, { message: "Enter your current password" }).max(256),
  newPassword: ZPassword,
});

export const ZRequestPasswordResetInput = z.object({ email: ZEmail });

export const ZResetPasswordInput = z.object({
  token: z.string().max(128, { message: "This reset link is not valid" }).regex(/^[A-Za-z0-9_-]{32,64}$/, { message: "This reset link is not valid" }),
  password: ZPassword,
});
