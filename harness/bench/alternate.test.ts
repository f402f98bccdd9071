import { describe, expect, it } from "vitest";
import { alternate, summarise } from "./alternate.ts";

describe("alternate", () => {
  it("runs the contenders in turn, round after round", async () => {
    const order: string[] = [];
    const samples = await alternate(["A", "B"], 3, async (name, round) => {
      order.push(`${name}${round}`);
      return name === "A" ? round : 10 * round;
    });
    expect(order).toEqual(["A1", "B1", "A2", "B2", "A3", "B3"]);
    expect(samples.get("B")).toEqual([10, 20, 30]);
  });
});

describe("summarise", () => {
  it("gives medians, range, spread and the ratio to the reference's median", () => {
    const [ours, kafka] = summarise(
      new Map([
        ["ours", [90, 120, 100]],
        ["kafka", [80, 100, 125]],
      ]),
      "kafka",
    );
    expect(ours).toMatchObject({ medianPerSec: 100, minPerSec: 90, maxPerSec: 120, spread: 0.3, ratio: 1 });
    expect(kafka).toMatchObject({ medianPerSec: 100, spread: 0.45, ratio: 1 });
  });

  it("refuses a reference it has no samples of", () => {
    expect(() => summarise(new Map([["ours", [1]]]), "kafka")).toThrow(/no samples of the reference kafka/);
  });
});
