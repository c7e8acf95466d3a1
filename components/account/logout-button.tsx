"use client";

import { signOut } from "next-auth/react";
import { Button } from "@/components/ui/form";

export function LogoutButton() {
  return (
    <Button variant="secondary" onClick={() => void signOut({ redirectTo: "/login" })}>
      Log out
    </Button>
  );
}
