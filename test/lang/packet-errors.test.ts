// A packet typed wrong is one error naming the word and what is wrong with it, at its column.
import { describe, expect, it } from "vitest";
import { articleSession } from "../helpers/session.js";
import { runLine } from "../../src/lang/commands/index.js";

describe("send: a bad address or port", () => {
  const error = (line: string) => runLine(articleSession(), line).error;

  it("names the number over 255, pointing at it", () => {
    // "send tcp 192.168.1.88:49058 -> " is 31 characters: the address starts at column 32
    expect(error("send tcp 192.168.1.88:49058 -> 10.43.156.300:9898")).toBe('column 42: bad destination "10.43.156.300:9898": 300 is more than 255 (each number of an address is 0 to 255)');
    expect(error("send tcp 256.1.1.1:5 -> 10.43.156.98:9898")).toBe('column 10: bad source "256.1.1.1:5": 256 is more than 255 (each number of an address is 0 to 255)');
  });

  it("a missing port, a port out of range and a word that is no address each say so", () => {
    expect(error("send tcp 192.168.1.88:49058 -> 10.43.156.98")).toBe('column 32: destination "10.43.156.98" needs a port (10.43.156.98:PORT)');
    expect(error("send tcp 192.168.1.88:49058 -> 10.43.156.98:99999")).toBe("column 32: port 99999 is out of range");
    expect(error("send tcp web:80 -> 10.43.156.98:9898")).toBe('column 10: bad source "web:80": expected an IPv4 address with :port');
  });
});
