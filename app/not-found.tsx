import type { Metadata } from "next";

export const metadata: Metadata = { title: "Page not found" };

/** Our own 404 page: Next's built-in one carries an inline <style> that the CSP (proxy.ts) blocks. */
export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col items-center justify-center gap-4 px-6 text-center">
      <p className="text-sm font-semibold text-brand-600">404</p>
      <h1 className="text-2xl font-bold tracking-tight">This page could not be found.</h1>
      <a href="/" className="text-sm font-medium text-brand-600 hover:underline">
        Back to the home page
      </a>
    </main>
  );
}
