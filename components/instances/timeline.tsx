import { describeActor } from "./format";
import { LocalTime } from "./local-time";
import type { InstanceEvent } from "./types";

const DOT: Record<InstanceEvent["type"], string> = {
  STATUS: "bg-brand-500",
  STEP: "bg-sky-500",
  ACTION: "bg-slate-500",
  ERROR: "bg-red-600",
};

const LABEL: Record<InstanceEvent["type"], string> = {
  STATUS: "Status",
  STEP: "Step",
  ACTION: "Action",
  ERROR: "Error",
};

/** Status changes, provisioning steps, actions and errors, newest first. */
export function Timeline({ events }: { events: InstanceEvent[] }) {
  if (events.length === 0) return <p className="text-sm text-slate-600">Nothing has happened yet.</p>;
  const newestFirst = [...events].reverse();
  return (
    <ol aria-label="Timeline" className="flex max-h-[28rem] flex-col gap-4 overflow-y-auto pr-2">
      {newestFirst.map((event) => (
        <li key={event.id} data-event-type={event.type} className="flex gap-3">
          <span aria-hidden="true" className={`mt-1.5 size-2.5 shrink-0 rounded-full ${DOT[event.type]}`} />
          <div className="min-w-0 text-sm">
            <p className={`font-medium ${event.type === "ERROR" ? "text-red-800" : "text-slate-900"}`}>{event.message}</p>
            <p className="text-xs text-slate-500">
              <span className="font-semibold uppercase tracking-wide">{LABEL[event.type]}</span>
              {event.type === "STATUS" && event.toStatus ? (
                <span>
                  {" · "}
                  {event.fromStatus ? `${event.fromStatus} → ` : ""}
                  {event.toStatus}
                </span>
              ) : null}
              {" · by "}
              {describeActor(event.actor)}
              {" · "}
              <LocalTime date={event.createdAt} />
            </p>
          </div>
        </li>
      ))}
    </ol>
  );
}
