import { describe, expect, it } from "vitest";
import { addressFromContainer, FORWARDED_HOST } from "./host-address.ts";

describe("addressFromContainer", () => {
  it.each(["127.0.0.1:9464", "localhost:9464", "0.0.0.0:9464", "127.1.2.3:9464", "[::1]:9464"])(
    "forwards the host's loopback %s",
    (address) => {
      expect(addressFromContainer(address)).toEqual({ address: `${FORWARDED_HOST}:9464`, forwardPort: 9464 });
    },
  );

  it.each(["10.0.0.5:9464", "metrics.example.com:80", "kafka-1:9404"])(
    "leaves %s, which containers reach as it is, alone",
    (address) => {
      expect(addressFromContainer(address)).toEqual({ address, forwardPort: undefined });
    },
  );

  it("does not forward a loopback address without a valid port", () => {
    expect(addressFromContainer("127.0.0.1:0").forwardPort).toBeUndefined();
    expect(addressFromContainer("127.0.0.1:70000").forwardPort).toBeUndefined();
  });
});
