"use client";

import type { ButtonHTMLAttributes } from "react";
import { Button } from "@/components/ui/form";

/** The compact Button for actions inside table rows: secondary and type="button" by default. */
export function SmallButton({
  variant = "secondary",
  type = "button",
  ...props
}: { variant?: "primary" | "secondary" | "danger" } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return <Button size="sm" variant={variant} type={type} {...props} />;
}
