import { describe, expect, it } from "vitest";
import { GapLog } from "./gaps.ts";

describe("GapLog", () => {
  it("merges consecutive seconds with one reason and starts anew after a measured second or a new reason", () => {
    const log = new GapLog();
    for (const t of [15, 16, 17]) log.add("lag offsets", t, "the high watermarks: no answer within 800 ms");
    log.add("broker metrics", 16, "Prometheus: no answer");
    log.add("lag offsets", 18, "the group's committed offsets failed: x");
    log.measured("lag offsets");
    log.add("lag offsets", 30, "the group's committed offsets failed: x");
    expect(log.gaps).toEqual([
      {
        what: "lag offsets",
        fromS: 15,
        toS: 17,
        samples: 3,
        reason: "the high watermarks: no answer within 800 ms",
      },
      { what: "broker metrics", fromS: 16, toS: 16, samples: 1, reason: "Prometheus: no answer" },
      {
        what: "lag offsets",
        fromS: 18,
        toS: 18,
        samples: 1,
        reason: "the group's committed offsets failed: x",
      },
      {
        what: "lag offsets",
        fromS: 30,
        toS: 30,
        samples: 1,
        reason: "the group's committed offsets failed: x",
      },
    ]);
  });
});
