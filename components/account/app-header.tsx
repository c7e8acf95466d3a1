import { LogoutButton } from "./logout-button";

export function AppHeader({ name, isAdmin }: { name: string; isAdmin: boolean }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-5xl items-center justify-between px-6 py-4">
        <nav className="flex items-center gap-6 text-sm">
          <a href="/dashboard" className="text-lg font-semibold text-brand-700">OdooCloud</a>
          <a href="/dashboard" className="text-slate-700 hover:text-brand-600">Dashboard</a>
          <a href="/billing" className="text-slate-700 hover:text-brand-600">Billing</a>
          {isAdmin ? <a href="/admin" className="text-slate-700 hover:text-brand-600">Admin</a> : null}
        </nav>
        <div className="flex items-center gap-4 text-sm">
          <span className="text-slate-600" data-testid="signed-in-as">{name}</span>
          <LogoutButton />
        </div>
      </div>
    </header>
  );
}
