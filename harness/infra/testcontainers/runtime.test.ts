import type { ContainerRuntimeClient } from "testcontainers";
import { describe, expect, it } from "vitest";
import { EnvironmentError } from "../../core/errors.ts";
import { requireContainerRuntime } from "./runtime.ts";

describe("requireContainerRuntime", () => {
  it("turns a missing engine into an environment error that names both ways out", async () => {
    const probe = () => Promise.reject(new Error("Could not find a working container runtime strategy"));
    const error = await requireContainerRuntime(probe).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    const { message, hint, cause } = error as EnvironmentError;
    expect(message).toMatch(/no Docker engine was found/);
    expect(message).toContain("Could not find a working container runtime strategy");
    expect(hint).toMatch(/start Docker/);
    expect(hint).toContain("--provider local");
    expect((cause as Error).message).toContain("container runtime strategy");
  });

  it("hands back the client when there is an engine", async () => {
    const client = { info: { containerRuntime: { host: "localhost" } } } as unknown as ContainerRuntimeClient;
    await expect(requireContainerRuntime(() => Promise.resolve(client))).resolves.toBe(client);
  });
});
