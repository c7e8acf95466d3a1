"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/providers/trpc-provider";
import { formErrors } from "@/components/trpc-errors";
import { Button, Field, FormMessage } from "@/components/ui/form";
import { IsolationDetails } from "./db-server-list";
import type { DbServerIsolation } from "./types";

const EMPTY = { name: "", host: "", containerHost: "", port: "5432", managerUser: "", managerPassword: "", maxInstances: "100" };

/** Adds a pool server; the platform tests the connection first and answers per field. */
export function AddDbServerForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(EMPTY);
  const [added, setAdded] = useState<string>();
  const [isolation, setIsolation] = useState<DbServerIsolation>();

  const add = useMutation(
    trpc.admin.dbServers.add.mutationOptions({
      onSuccess: async (server) => {
        setAdded(`Database server ${server.name} added (${server.status}).`);
        setIsolation(server.isolation);
        setValues(EMPTY);
        await queryClient.invalidateQueries(trpc.admin.pathFilter());
      },
    }),
  );
  const errors = add.error ? formErrors(add.error) : undefined;
  const set = (key: keyof typeof EMPTY) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [key]: event.target.value }));

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setAdded(undefined);
    setIsolation(undefined);
    add.mutate({
      name: values.name.trim(),
      host: values.host.trim(),
      containerHost: values.containerHost.trim(),
      port: Number(values.port),
      managerUser: values.managerUser.trim(),
      managerPassword: values.managerPassword,
      maxInstances: Number(values.maxInstances),
    });
  }

  return (
    <form method="post" onSubmit={onSubmit} className="flex flex-col gap-4" aria-label="Add database server" noValidate>
      {errors ? <FormMessage kind="error">{errors.message}</FormMessage> : null}
      {added ? (
        <div role="status">
          <FormMessage kind="success">{added}</FormMessage>
          {isolation?.ok && isolation.findings.every((finding) => finding.fixed) ? (
            <p className="mt-2 text-sm text-slate-700">Tenants on it can reach no database but their own.</p>
          ) : isolation ? (
            <p className="mt-2 text-sm text-red-800">Tenants on it can reach databases other than their own: see below.</p>
          ) : null}
          {isolation ? <IsolationDetails report={isolation} expanded /> : null}
        </div>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" name="name" value={values.name} onChange={set("name")} error={errors?.fields.name} placeholder="pg-eu-2" autoComplete="off" required />
        <Field
          label="Capacity (max instances)"
          name="maxInstances"
          type="number"
          min={0}
          value={values.maxInstances}
          onChange={set("maxInstances")}
          error={errors?.fields.maxInstances}
          required
        />
        <Field
          label="Host"
          name="host"
          value={values.host}
          onChange={set("host")}
          error={errors?.fields.host}
          hint={<span className="text-xs text-slate-500">As the web server and the worker reach it.</span>}
          autoComplete="off"
          required
        />
        <Field
          label="Container host"
          name="containerHost"
          value={values.containerHost}
          onChange={set("containerHost")}
          error={errors?.fields.containerHost}
          hint={<span className="text-xs text-slate-500">As the Odoo containers reach it.</span>}
          autoComplete="off"
          required
        />
        <Field label="Port" name="port" type="number" min={1} max={65535} value={values.port} onChange={set("port")} error={errors?.fields.port} required />
        <Field
          label="Manager user"
          name="managerUser"
          value={values.managerUser}
          onChange={set("managerUser")}
          error={errors?.fields.managerUser}
          autoComplete="off"
          required
        />
        <Field
          label="Manager password"
          name="managerPassword"
          type="password"
          value={values.managerPassword}
          onChange={set("managerPassword")}
          error={errors?.fields.managerPassword}
          autoComplete="new-password"
          required
        />
      </div>
      <div>
        <Button type="submit" disabled={add.isPending}>
          {add.isPending ? "Testing the connection…" : "Add database server"}
        </Button>
      </div>
    </form>
  );
}
