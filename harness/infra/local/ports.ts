import { createServer } from "node:net";
import { EnvironmentError } from "../../core/errors.ts";

/** Asks the OS for a free loopback port, so that two runs on one machine never collide. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", (error) =>
      reject(
        new EnvironmentError(
          "could not bind a free port on 127.0.0.1",
          "check that the loopback interface is up",
          error,
        ),
      ),
    );
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
