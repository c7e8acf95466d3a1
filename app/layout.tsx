import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers/trpc-provider";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "OdooCloud — hosted Odoo", template: "%s · OdooCloud" },
  description: "Your own Odoo instance, ready in a minute: backups, upgrades and monitoring included.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
