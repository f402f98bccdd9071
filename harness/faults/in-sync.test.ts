import { describe, expect, it } from "vitest";
import { outOfSync } from "./in-sync.ts";

describe("outOfSync", () => {
  const topic = (isr3: number[]) => ({
    name: "user-login",
    partitions: [
      { partitionId: 3, replicas: [1, 2, 3], isr: isr3 },
      { partitionId: 0, replicas: [2, 3, 1], isr: [2, 3, 1] },
    ],
  });

  it("is empty when every replica of every partition is in its ISR and every broker is registered", () => {
    expect(outOfSync([topic([3, 1, 2])], [1, 2, 3], [1, 2, 3])).toEqual([]);
  });

  it("names each partition with a replica outside its ISR, and each broker not registered", () => {
    expect(outOfSync([topic([1, 3])], [1, 3], [1, 2, 3])).toEqual([
      "broker 2 not registered",
      "user-login/3: ISR 1,3 of 1,2,3",
    ]);
  });
});
