import { type ContainerRuntimeClient, getContainerRuntimeClient } from "testcontainers";
import { EnvironmentError } from "../../core/errors.ts";

/** The Docker (or Podman) engine testcontainers talks to; fails with what to do when there is none. */
export async function requireContainerRuntime(
  probe: () => Promise<ContainerRuntimeClient> = getContainerRuntimeClient,
): Promise<ContainerRuntimeClient> {
  try {
    return await probe();
  } catch (error) {
    throw new EnvironmentError(
      `no Docker engine was found for --provider testcontainers (${(error as Error).message})`,
      "start Docker (or set DOCKER_HOST to a running engine), or use --provider local, the default, which needs no Docker",
      error,
    );
  }
}

/** For tests that skip themselves on a machine without an engine. */
export async function containerRuntimeAvailable(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}
