import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/ui/auth-card";
import { FormMessage } from "@/components/ui/form";
import { currentActor } from "@/server/trpc/server";
import { LoginForm } from "./_components/login-form";

export const metadata: Metadata = { title: "Log in" };

/** Auth.js sends its errors here (`pages.error`) as ?error=<type>; the type is never shown raw. */
function describeAuthError(type: string | string[] | undefined): string | undefined {
  if (type === undefined) return undefined;
  if (type === "CredentialsSignin") return "Invalid email or password.";
  return "That sign-in link or method is not available. Log in with your email and password.";
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string | string[] }> }) {
  if (await currentActor()) redirect("/dashboard");
  const error = describeAuthError((await searchParams).error);
  return (
    <AuthCard
      title="Log in"
      footer={
        <>
          New here?{" "}
          <a className="font-medium text-brand-600 hover:underline" href="/signup">
            Create an account
          </a>
        </>
      }
    >
      {error ? <FormMessage kind="error">{error}</FormMessage> : null}
      <LoginForm />
    </AuthCard>
  );
}
