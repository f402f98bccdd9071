import { buffer } from "node:stream/consumers";
import { LabError } from "../../core/errors.ts";
import { JMX_EXPORTER_VERSION } from "../versions.ts";
import { toGenericContainer } from "./generic-container.ts";
import { JMX_AGENT_FOLDER, jmxAgentFetcherSpec } from "./specs.ts";

/**
 * Runs the one-shot Maven container (as docker-compose.yml's jmx-agent service) and returns its output
 * folder as tar bytes, for each broker to unpack. Only the engine's API is used, so a remote engine works.
 */
export async function fetchJmxAgentArchive(): Promise<Buffer> {
  const spec = jmxAgentFetcherSpec();
  const fetcher = await toGenericContainer(spec)
    .start()
    .catch((error: unknown) => {
      throw new LabError(
        "PROVISION",
        `fetching the JMX exporter agent ${JMX_EXPORTER_VERSION} in ${spec.image} failed: ${(error as Error).message}`,
        {
          hint: "the Docker engine needs to reach Maven Central (repo.maven.apache.org)",
          cause: error,
          retriable: true,
        },
      );
    });
  try {
    return await buffer(await fetcher.copyArchiveFromContainer(JMX_AGENT_FOLDER));
  } finally {
    await fetcher.stop();
  }
}
