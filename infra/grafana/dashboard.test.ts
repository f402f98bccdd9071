import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildDashboard, DASHBOARD_FILE, dashboardQueries } from "./dashboard.ts";

interface JsonPanel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { expr?: string; refId?: string }[];
}

const committed = JSON.parse(readFileSync(DASHBOARD_FILE, "utf8"));
const built = JSON.parse(JSON.stringify(buildDashboard()));
const panels = (built.panels as JsonPanel[]).filter((p) => p.type !== "row");

describe("fetch dashboard", () => {
  it("is committed as generated", () => {
    expect(
      committed,
      "dashboards/fetch-dashboard.json is stale: run `npx tsx infra/grafana/dashboard.ts --write`",
    ).toEqual(built);
  });

  it("keeps the seed's address /d/fetch/fetch-dashboard", () => {
    expect(built.uid).toBe("fetch");
    expect(built.title).toBe("fetch-dashboard");
  });

  it("gives every panel at least one query on the provisioned data source, with distinct refIds", () => {
    expect(panels.length).toBeGreaterThan(10);
    for (const panel of panels) {
      const targets = panel.targets ?? [];
      expect(targets.length, panel.title).toBeGreaterThan(0);
      expect(panel.datasource?.uid, panel.title).toBe("prometheus");
      expect(
        targets.every((t) => (t.expr ?? "").trim() !== ""),
        panel.title,
      ).toBe(true);
      expect(new Set(targets.map((t) => t.refId)).size, panel.title).toBe(targets.length);
    }
  });

  it("lists the same queries it renders, without Grafana-only variables", () => {
    const rendered = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
    expect(dashboardQueries()).toEqual(rendered);
    expect(dashboardQueries().filter((q) => q.expr.includes("$"))).toEqual([]);
  });

  it("has unique panel ids and titles", () => {
    const all = built.panels as { id: number; title: string }[];
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    expect(new Set(all.map((p) => p.title)).size).toBe(all.length);
  });
});
