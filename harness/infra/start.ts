import { connectExternalStack, type ExternalOptions } from "./external.ts";
import { startLocalStack } from "./local/local-stack.ts";
import type { ProviderName, StackOptions, StartedStack } from "./types.ts";

/** Starts (or, for `external`, connects to) the stack a run needs. */
export async function startStack(
  provider: ProviderName,
  options: StackOptions,
  external?: ExternalOptions,
): Promise<StartedStack> {
  switch (provider) {
    case "local":
      return startLocalStack(options);
    case "testcontainers": {
      // Loaded only when asked for: the local default should not pay for the Docker client.
      const { startTestcontainersStack } = await import("./testcontainers/stack.ts");
      return startTestcontainersStack(options);
    }
    case "external":
      return connectExternalStack(external ?? { brokers: [] }, options);
  }
}
