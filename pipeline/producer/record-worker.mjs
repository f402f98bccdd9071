// The worker thread of workerSource (record-source.ts): loads TypeScript through tsx's API, so that it runs
// the same under node --import tsx, tsx and vitest, then makes records as the sending thread asks.
import { register } from "tsx/esm/api";

register();
await import("./record-maker.ts");
