import type { Admin, Consumer } from "kafkajs";

/**
 * Ends one of the lab's topic tails: disconnects its consumer and deletes its throwaway group, so that nothing
 * is left behind on a cluster the lab does not own.
 */
export async function closeTail(consumer: Consumer, admin: Admin, groupId: string): Promise<void> {
  await consumer.disconnect().catch(() => {});
  await admin
    .connect()
    .then(() => admin.deleteGroups([groupId]))
    .catch(() => {})
    .finally(() => admin.disconnect());
}
