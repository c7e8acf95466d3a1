import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ContainerEvent } from "./container-runtime";
import { eventFromMessage, followEvents, LineSplitter, type DockerEventMessage, type EventStream } from "./docker-events";

/** Shaped like podman 4.3's events (Docker's differ only in which attributes they carry). */
function message(action: string, timeNano: number, attributes: Record<string, string> = {}): DockerEventMessage {
  return {
    Type: "container",
    Action: action,
    Actor: {
      ID: "c0ffee",
      Attributes: {
        containerExitCode: "0",
        name: "odoo-inst1",
        "saas.managed": "true",
        "saas.instance-id": "inst1",
        ...attributes,
      },
    },
    time: Math.floor(timeNano / 1e9),
    timeNano,
  };
}
const line = (m: DockerEventMessage) => `${JSON.stringify(m)}\n`;
const T = 1_795_417_316_000_000_000;
/** Milliseconds in nanoseconds: timeNano (~1.8e18) is beyond 2^53, so steps below ~256 ns vanish. */
const MS = 1_000_000;

describe("LineSplitter", () => {
  it("joins lines split across chunks, also inside a UTF-8 character", () => {
    const splitter = new LineSplitter();
    const bytes = Buffer.from('{"a":"ż"}\n{"b":2}\n{"c"');
    expect(splitter.push(bytes.subarray(0, 7))).toEqual([]); // ends inside "ż"
    expect(splitter.push(bytes.subarray(7))).toEqual(['{"a":"ż"}', '{"b":2}']);
    expect(splitter.push(":3}")).toEqual([]);
    expect(splitter.end()).toEqual(['{"c":3}']);
  });

  it("skips blank lines", () => {
    expect(new LineSplitter().push("\n\n{}\r\n\n")).toEqual(["{}"]);
  });
});

describe("eventFromMessage", () => {
  it("reads podman's die with its exit code", () => {
    expect(eventFromMessage(message("die", T, { containerExitCode: "137", exitCode: "137" }))).toEqual({
      instanceId: "inst1",
      containerId: "c0ffee",
      containerName: "odoo-inst1",
      action: "die",
      exitCode: 137,
      time: new Date(1_795_417_316_000),
    });
  });

  it("ignores podman's containerExitCode on other events", () => {
    expect(eventFromMessage(message("start", T))).not.toHaveProperty("exitCode");
  });

  it("normalises podman's remove and Docker's health_status", () => {
    expect(eventFromMessage(message("remove", T))?.action).toBe("destroy");
    expect(eventFromMessage(message("health_status: healthy", T))?.action).toBe("health_status");
    expect(eventFromMessage(message("oom", T))?.action).toBe("oom");
  });

  it("reads Docker's die (exitCode only) and old-style status", () => {
    const docker = message("die", T, { exitCode: "1" });
    delete docker.Actor?.Attributes?.containerExitCode;
    expect(eventFromMessage(docker)?.exitCode).toBe(1);
    const old: DockerEventMessage = { status: "start", id: "c0ffee", time: 1_795_417_316, Actor: message("x", T).Actor };
    expect(eventFromMessage(old)).toMatchObject({ action: "start", time: new Date(1_795_417_316_000) });
  });

  it("drops events of other types and of unmanaged containers", () => {
    expect(eventFromMessage({ ...message("create", T), Type: "volume" })).toBeNull();
    expect(eventFromMessage(message("start", T, { "saas.managed": "false" }))).toBeNull();
    expect(eventFromMessage(message("start", T, { "saas.instance-id": "" }))).toBeNull();
  });
});

/** A fake engine: each open() hands out the next scripted stream. */
function fakeEngine() {
  const streams: PassThrough[] = [];
  const sinces: Array<number | undefined> = [];
  let failuresLeft = 0;
  let opened: (stream: PassThrough) => void = () => {};
  const open = async (since: number | undefined): Promise<EventStream> => {
    sinces.push(since);
    if (failuresLeft > 0) {
      failuresLeft--;
      throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    }
    const stream = new PassThrough();
    streams.push(stream);
    queueMicrotask(() => opened(stream));
    return stream;
  };
  const nextStream = () => new Promise<PassThrough>((resolve) => (opened = resolve));
  return { open, streams, sinces, nextStream, failNext: (n: number) => (failuresLeft = n) };
}

const until = async (check: () => boolean, ms = 2_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

describe("followEvents", () => {
  const backoff = { initialMs: 1, maxMs: 4 };

  it("parses events split across chunks and keeps going after a bad line or a throwing handler", async () => {
    const engine = fakeEngine();
    const controller = new AbortController();
    const events: ContainerEvent[] = [];
    const errors: unknown[] = [];
    const first = engine.nextStream();
    const done = followEvents(
      engine.open,
      (event) => {
        events.push(event);
        if (event.action === "kill") throw new Error("handler bug");
      },
      { signal: controller.signal, backoff, onError: (e) => errors.push(e) },
    );
    const stream = await first;
    const text = line(message("start", T)) + "not json\n" + line(message("kill", T + 1 * MS)) + line(message("die", T + 2 * MS, { exitCode: "137" }));
    for (let i = 0; i < text.length; i += 7) stream.write(text.slice(i, i + 7));
    await until(() => events.length === 3);
    expect(events.map((e) => e.action)).toEqual(["start", "kill", "die"]);
    expect(events[2]?.exitCode).toBe(137);
    expect(errors.map((e) => (e as Error).message)).toEqual(["unparsable event line (8 characters)", "handler bug"]);
    controller.abort();
    await done;
    expect(stream.destroyed).toBe(true);
  });

  it("reconnects when the stream ends, replays from the last second and drops what it saw", async () => {
    const engine = fakeEngine();
    const controller = new AbortController();
    const events: ContainerEvent[] = [];
    const connects: boolean[] = [];
    const first = engine.nextStream();
    const done = followEvents(engine.open, (event) => events.push(event), {
      signal: controller.signal,
      backoff,
      onConnect: ({ reconnect }) => connects.push(reconnect),
    });
    const s1 = await first;
    s1.write(line(message("start", T)) + line(message("die", T + 5 * MS, { exitCode: "1" })));
    await until(() => events.length === 2);
    const second = engine.nextStream();
    s1.end(); // engine restart
    const s2 = await second;
    // The engine replays the whole second: the two old events come again, then a new one.
    s2.write(line(message("start", T)) + line(message("die", T + 5 * MS, { exitCode: "1" })) + line(message("start", T + 9 * MS)));
    await until(() => events.length === 3);
    expect(events.map((e) => e.action)).toEqual(["start", "die", "start"]);
    expect(engine.sinces).toEqual([undefined, Math.floor((T + 5 * MS) / 1e9)]);
    expect(connects).toEqual([false, true]);
    controller.abort();
    await done;
  });

  it("retries with backoff while the engine refuses connections, and after a stream error", async () => {
    const engine = fakeEngine();
    engine.failNext(3);
    const controller = new AbortController();
    const errors: unknown[] = [];
    const events: ContainerEvent[] = [];
    const first = engine.nextStream();
    const done = followEvents(engine.open, (e) => events.push(e), { signal: controller.signal, backoff, onError: (e) => errors.push(e) });
    const s1 = await first;
    expect(engine.sinces.length).toBe(4);
    expect(errors).toHaveLength(3);
    const second = engine.nextStream();
    s1.destroy(new Error("socket hang up"));
    const s2 = await second;
    s2.write(line(message("start", T)));
    await until(() => events.length === 1);
    expect(errors.map((e) => (e as Error).message)).toContain("socket hang up");
    controller.abort();
    await done;
  });

  it("returns at once when already aborted, and stops a pending backoff on abort", async () => {
    const engine = fakeEngine();
    const aborted = AbortSignal.abort();
    await followEvents(engine.open, () => {}, { signal: aborted });
    expect(engine.sinces).toEqual([]);

    engine.failNext(1);
    const controller = new AbortController();
    const done = followEvents(engine.open, () => {}, { signal: controller.signal, backoff: { initialMs: 60_000, maxMs: 60_000 }, onError: () => {} });
    await until(() => engine.sinces.length === 1);
    const started = Date.now();
    controller.abort();
    await done;
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("hands the signal to open() so a hanging connection attempt ends on abort", async () => {
    const controller = new AbortController();
    const errors: unknown[] = [];
    let attempts = 0;
    const hanging = (_since: number | undefined, signal: AbortSignal) =>
      new Promise<EventStream>((_resolve, reject) => {
        attempts++;
        signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      });
    const done = followEvents(hanging, () => {}, { signal: controller.signal, onError: (e) => errors.push(e) });
    await until(() => attempts === 1);
    controller.abort();
    await done;
    expect(attempts).toBe(1);
    expect(errors).toEqual([]); // an abort is not an error
  });
});
