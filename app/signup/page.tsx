import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/ui/auth-card";
import { currentActor } from "@/server/trpc/server";
import { SignupForm } from "./_components/signup-form";

export const metadata: Metadata = { title: "Sign up" };

export default async function SignupPage() {
  if (await currentActor()) redirect("/dashboard");
  return (
    <AuthCard
      title="Create your account"
      footer={
        <>
          Already have an account?{" "}
          <a className="font-medium text-brand-600 hover:underline" href="/login">
            Log in
          </a>
        </>
      }
    >
      <SignupForm />
    </AuthCard>
  );
}
