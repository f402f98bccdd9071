import { Readable } from "node:stream";
import { GenericContainer, type StartedNetwork, Wait, type WaitStrategy } from "testcontainers";
import { LabError } from "../../core/errors.ts";
import type { ArchiveSpec, ContainerSpec, WaitSpec } from "./specs.ts";

export interface BuildContext {
  network?: StartedNetwork;
  /** Archives of the artifacts specs ask for, as tar bytes (a stream can be read once; brokers are many). */
  artifacts?: Partial<Record<ArchiveSpec["artifact"], Buffer>>;
  /** Receives the container's output for as long as it runs. */
  logConsumer?: (stream: Readable) => void;
}

function waitStrategy(wait: WaitSpec): WaitStrategy {
  switch (wait.kind) {
    case "log":
      return Wait.forLogMessage(wait.pattern);
    case "http":
      return Wait.forHttp(wait.path, wait.port).forStatusCode(200);
    case "command":
      return Wait.forSuccessfulCommand(wait.command);
    case "one-shot":
      return Wait.forOneShotStartup();
  }
}

/** Maps a spec onto testcontainers' builder. Building needs no engine; only `start()` does. */
export function toGenericContainer(spec: ContainerSpec, context: BuildContext = {}): GenericContainer {
  const container = new GenericContainer(spec.image)
    .withEnvironment(spec.env)
    .withWaitStrategy(waitStrategy(spec.wait))
    .withStartupTimeout(spec.startupTimeoutMs);
  if (spec.command.length > 0) container.withCommand(spec.command);
  if (spec.exposedPorts.length > 0) container.withExposedPorts(...spec.exposedPorts);
  if (context.network) container.withNetwork(context.network);
  if (spec.networkAliases.length > 0) container.withNetworkAliases(...spec.networkAliases);
  const files = spec.copyFiles.flatMap((c) => ("source" in c ? [c] : []));
  const contents = spec.copyFiles.flatMap((c) => ("content" in c ? [c] : []));
  if (files.length > 0) container.withCopyFilesToContainer(files);
  if (contents.length > 0) container.withCopyContentToContainer(contents);
  if (spec.archives.length > 0) {
    container.withCopyArchivesToContainer(
      spec.archives.map(({ artifact, target }) => {
        const tar = context.artifacts?.[artifact];
        if (!tar)
          throw new LabError("INTERNAL", `${spec.name} needs the ${artifact} archive, and none was given`);
        return { tar: Readable.from([tar]), target };
      }),
    );
  }
  if (context.logConsumer) container.withLogConsumer(context.logConsumer);
  return container;
}
