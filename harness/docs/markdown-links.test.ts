import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const PAGES = [
  "README.md",
  "CHANGELOG.md",
  "reports/README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

const withoutFences = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, "");

/** GitHub's anchor for each heading: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2, … */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading = ""] of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Every relative link of a page (at `page` under ROOT) that leads to no file of the repository or heading of it. */
function brokenLinks(markdown: string, page: string): string[] {
  const prose = withoutFences(markdown).replace(/`[^`\n]*`/g, "``");
  const broken: string[] = [];
  for (const [, target = ""] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z][a-z+.-]*:/i.test(target)) continue;
    const [path = "", anchor] = target.split("#");
    const file = path === "" ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), path);
    const text = () => (path === "" ? markdown : readFileSync(file, "utf8"));
    if (relative(ROOT, file).startsWith("..")) broken.push(`${target}: leaves the repository`);
    else if (!existsSync(file)) broken.push(`${target}: no such file`);
    else if (anchor !== undefined && !(statSync(file).isFile() && anchors(text()).has(anchor)))
      broken.push(`${target}: no heading with that anchor`);
  }
  return broken;
}

describe("the documentation's links", () => {
  it.each(PAGES)("%s links only to files and headings that exist", (page) => {
    expect(brokenLinks(readFileSync(join(ROOT, page), "utf8"), page)).toEqual([]);
  });

  it("names a missing file, a missing heading and a link out of the repository, and skips code", () => {
    const page = [
      "# The lab's driver and its `Kafka` client",
      "## Notes",
      "## Notes",
      "[a](#the-labs-driver-and-its-kafka-client) [b](#notes-1) [c](docs/results.md#the-bench)",
      "[d](docs/nothing.md) [e](#nowhere) [f](../outside.md) [g](https://example.com/x.md)",
      "`[h](missing.md)`",
      "```",
      "[i](missing.md)",
      "```",
    ].join("\n");
    expect(brokenLinks(page, "README.md")).toEqual([
      "docs/nothing.md: no such file",
      "#nowhere: no heading with that anchor",
      "../outside.md: leaves the repository",
    ]);
  });
});

describe("the README", () => {
  it("reads in five minutes: at most about 200 lines", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8").split("\n").length).toBeLessThanOrEqual(200);
  });
});
