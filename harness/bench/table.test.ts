import { describe, expect, it } from "vitest";
import { formatTable } from "./table.ts";

describe("formatTable", () => {
  it("pads every column to its widest cell and rules off the header", () => {
    const text = formatTable(
      ["figure", "value"],
      [
        ["start", "6.7 s"],
        ["aggregator 6×3", "48,000/s"],
      ],
    );
    expect(text.split("\n")).toEqual([
      "figure         | value",
      "---------------|---------",
      "start          | 6.7 s",
      "aggregator 6×3 | 48,000/s",
    ]);
  });

  it("leaves a missing cell blank instead of printing undefined", () => {
    expect(formatTable(["a", "b"], [["x"]]).split("\n")[2]).toBe("x |");
  });
});
