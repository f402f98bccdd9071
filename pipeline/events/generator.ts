import { base, en, Faker } from "@faker-js/faker";
import { type LoginEvent, type ValidationResult, validateMadeRecord, validateRecord } from "./login-event.ts";
import { MALFORMED_KINDS, type MalformedKind, malformedValue } from "./malformed.ts";
import { seededUuid } from "./seeded-uuid.ts";
import { US_STATE_CODES } from "./us-states.ts";

export { EXPECTED_REASON, MALFORMED_KINDS, type MalformedKind, NEAR_KAFKA_LIMIT_BYTES } from "./malformed.ts";

/** The shape of the traffic; the defaults copy the seed's own generator. */
export interface EventMix {
  deviceTypes: { value: string; weight: number }[];
  /** Share of records whose `device_type` key is left out entirely. */
  missingDeviceTypeShare: number;
  locales: string[];
  appVersions: string[];
  /** Size of the pool `user_id`s are drawn from, so that users log in again and again. */
  distinctUsers: number;
}

export const DEFAULT_MIX: EventMix = {
  deviceTypes: [
    { value: "android", weight: 0.5 },
    { value: "iOS", weight: 0.5 },
  ],
  missingDeviceTypeShare: 0.05,
  locales: [...US_STATE_CODES],
  appVersions: ["2.3.0"],
  distinctUsers: 10_000,
};

export interface LoginGeneratorOptions {
  seed: number;
  mix?: Partial<EventMix>;
  /** Share of records (0..1) that are malformed. */
  malformed?: number;
  /** Which malformed kinds to write, in turn; all by default. Leave out `near_kafka_limit` to spare bandwidth. */
  malformedKinds?: readonly MalformedKind[];
  /** Wall-clock milliseconds; only the timestamps depend on it. */
  clock?: { now(): number };
}

export interface GeneratedRecord {
  /** The `user_id` for valid records (it picks the partition); null for malformed ones. */
  key: string | null;
  value: Buffer;
  kind: "valid" | MalformedKind;
  /** The event as sent; only for valid records. */
  event?: LoginEvent;
  /** What `validateRecord` says of `value`: what the pipeline must conclude too. */
  expected: ValidationResult;
}

export interface LoginGenerator {
  next(): GeneratedRecord;
}

/** Same seed, options and clock readings give the same sequence of bytes. */
export function createLoginGenerator(options: LoginGeneratorOptions): LoginGenerator {
  const {
    seed,
    malformed = 0,
    malformedKinds = MALFORMED_KINDS,
    clock = { now: () => Date.now() },
  } = options;
  const mix: EventMix = { ...DEFAULT_MIX, ...options.mix };
  checkOptions(mix, malformed, malformedKinds);
  const faker = new Faker({ locale: [en, base], seed });
  const draw32 = () => faker.number.int(0xffffffff);
  const users = Array.from({ length: mix.distinctUsers }, () => seededUuid(draw32));
  let nextMalformed = 0;

  const drawEvent = (): LoginEvent => {
    const omitDevice = faker.number.float() < mix.missingDeviceTypeShare;
    const deviceType = faker.helpers.weightedArrayElement(mix.deviceTypes);
    const event: LoginEvent = {
      user_id: faker.helpers.arrayElement(users),
      app_version: faker.helpers.arrayElement(mix.appVersions),
      device_type: deviceType,
      ip: dottedQuad(draw32()),
      locale: faker.helpers.arrayElement(mix.locales),
      device_id: seededUuid(draw32),
      timestamp: Math.floor(clock.now() / 1000),
    };
    if (omitDevice) delete event.device_type;
    return event;
  };

  return {
    next(): GeneratedRecord {
      const isMalformed = malformed > 0 && faker.number.float() < malformed;
      const event = drawEvent();
      if (!isMalformed) {
        const value = Buffer.from(JSON.stringify(event));
        return {
          key: event.user_id,
          value,
          kind: "valid",
          event,
          expected: validateMadeRecord(value, event),
        };
      }
      const kind = malformedKinds[nextMalformed++ % malformedKinds.length] as MalformedKind;
      const value = malformedValue(kind, event);
      return { key: null, value, kind, expected: validateRecord(value) };
    },
  };
}

/** Four octets from one draw: a quarter of the draws, the same spread. */
function dottedQuad(word: number): string {
  return `${word >>> 24}.${(word >>> 16) & 0xff}.${(word >>> 8) & 0xff}.${word & 0xff}`;
}

function checkOptions(mix: EventMix, malformed: number, kinds: readonly MalformedKind[]): void {
  const problems: string[] = [];
  const isShare = (x: number) => Number.isFinite(x) && x >= 0 && x <= 1;
  if (!isShare(malformed)) problems.push(`malformed must be a share between 0 and 1, got ${malformed}`);
  if (malformed > 0 && kinds.length === 0) problems.push("malformedKinds is empty but malformed > 0");
  if (!isShare(mix.missingDeviceTypeShare)) {
    problems.push(`mix.missingDeviceTypeShare must be between 0 and 1, got ${mix.missingDeviceTypeShare}`);
  }
  if (
    mix.deviceTypes.length === 0 ||
    mix.deviceTypes.some((d) => !(d.weight > 0 && Number.isFinite(d.weight)))
  ) {
    problems.push("mix.deviceTypes needs at least one entry, each with a positive weight");
  }
  if (mix.locales.length === 0) problems.push("mix.locales is empty");
  if (mix.appVersions.length === 0) problems.push("mix.appVersions is empty");
  if (!Number.isInteger(mix.distinctUsers) || mix.distinctUsers < 1) {
    problems.push(`mix.distinctUsers must be a whole number of at least 1, got ${mix.distinctUsers}`);
  }
  if (problems.length > 0) throw new RangeError(`Invalid login generator options: ${problems.join("; ")}`);
}
