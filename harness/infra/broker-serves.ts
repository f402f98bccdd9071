import { connect } from "node:net";
import { createKafka, type KafkaConnection } from "../../pipeline/kafka/client.ts";

const PROBE_TIMEOUT_MS = 5_000;

/**
 * True when broker `brokerId` answers at `address` and names itself among the cluster's live brokers. Asked
 * of the broker itself because the rest of the cluster can still list a dead broker (ZooKeeper keeps a
 * killed broker's registration until its session expires), and its own metadata lists it only once it is
 * registered (ZooKeeper) or unfenced (KRaft).
 */
export async function brokerServes(
  connection: KafkaConnection,
  address: string,
  brokerId: number,
): Promise<boolean> {
  if (!(await portOpen(address))) return false;
  const admin = createKafka({ ...connection, brokers: [address] }, "lab-restart-check").admin();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  const asked = (async () => {
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    return brokers.some((b) => b.nodeId === brokerId);
  })().catch(() => false);
  try {
    return await Promise.race([asked, timedOut]);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => {});
  }
}

/** A plain TCP connect, so that a broker not yet listening costs a refused connection, not client retries. */
function portOpen(address: string): Promise<boolean> {
  const colon = address.lastIndexOf(":");
  return new Promise((resolve) => {
    const socket = connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) });
    socket.setTimeout(1_000);
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}
