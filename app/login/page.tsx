import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/ui/auth-card";
import { currentActor } from "@/server/trpc/server";
import { LoginForm } from "./_components/login-form";

export const metadata: Metadata = { title: "Log in" };

export default async function LoginPage() {
  if (await currentActor()) redirect("/dashboard");
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
      <LoginForm />
    </AuthCard>
  );
}
