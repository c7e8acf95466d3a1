import type { Metadata } from "next";
import { AuthCard } from "@/components/ui/auth-card";
import { ForgotPasswordForm } from "./_components/forgot-password-form";

export const metadata: Metadata = { title: "Forgot password" };

export default function ForgotPasswordPage() {
  return (
    <AuthCard title="Reset your password" footer={<a className="text-brand-600 hover:underline" href="/login">Back to log in</a>}>
      <ForgotPasswordForm />
    </AuthCard>
  );
}
