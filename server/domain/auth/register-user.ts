import { hashPassword } from "../../auth/password";
import { recordAudit } from "../../audit/record-audit";
import { db } from "../../db";
import { AppError } from "../../errors";
import { Prisma } from "../../generated/prisma/client";
import { ZRegisterInput } from "./schemas";

const DUPLICATE = () =>
  new AppError("CONFLICT", "An account with this email already exists.", {
    email: ["An account with this email already exists"],
  });

/** Creates a customer account. Emails are unique regardless of case (stored lower-cased). */
export async function registerUser(input: unknown): Promise<{ id: string; email: string }> {
  const data = ZRegisterInput.parse(input);
  if (await db.user.findUnique({ where: { email: data.email }, select: { id: true } })) throw DUPLICATE();
  try {
    const user = await db.user.create({
      data: {
        email: data.email,
        name: data.name,
        company: data.company,
        role: "CUSTOMER",
        passwordHash: await hashPassword(data.password),
      },
      select: { id: true, email: true },
    });
    await recordAudit({ actor: { kind: "system", name: "signup" }, action: "user.register", targetType: "user", targetId: user.id });
    return user;
  } catch (error) {
    // Two sign-ups racing for one email: the unique index decides, the loser gets the field error.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw DUPLICATE();
    throw error;
  }
}
