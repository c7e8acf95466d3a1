import { describe, expect, it } from "vitest";
import { faultResponse, methodCall, methodResponse, parseMethodCall, parseMethodResponse } from "./xmlrpc.ts";

describe("xmlrpc", () => {
  it("reads calls as Python's xmlrpc.client writes them", () => {
    const xml =
      "<?xml version='1.0'?>\n<methodCall>\n<methodName>authenticate</methodName>\n<params>\n" +
      "<param>\n<value><string>acme</string></value>\n</param>\n<param>\n<value>admin</value>\n</param>\n" +
      "<param>\n<value><string>a&lt;b&amp;c</string></value>\n</param>\n" +
      "<param>\n<value><struct>\n<member>\n<name>n</name>\n<value><int>42</int></value>\n</member>\n" +
      "<member>\n<name>ok</name>\n<value><boolean>1</boolean></value>\n</member>\n</struct></value>\n</param>\n" +
      "<param>\n<value><array><data>\n<value><double>1.5</double></value>\n<value><nil/></value>\n</data></array></value>\n</param>\n" +
      "</params>\n</methodCall>\n";
    expect(parseMethodCall(xml)).toEqual({ methodName: "authenticate", params: ["acme", "admin", "a<b&c", { n: 42, ok: true }, [1.5, null]] });
    expect(parseMethodCall("<methodCall><methodName>version</methodName></methodCall>")).toEqual({ methodName: "version", params: [] });
  });

  it("rejects malformed input", () => {
    expect(() => parseMethodCall("<methodCall><methodName>x</methodName><params><param><value><int>x</int></value></param></params></methodCall>")).toThrow();
    expect(() => parseMethodCall("<methodCall>")).toThrow();
    expect(() => parseMethodCall("not xml")).toThrow();
  });

  it("writes responses and faults that read back", () => {
    const value = { server_version: "17.0", server_version_info: [17, 0, 0, "final", 0, ""], protocol_version: 1, text: "<&>" };
    const xml = methodResponse(value);
    expect(xml).toContain("<name>server_version</name>\n<value><string>17.0</string></value>\n");
    expect(parseMethodResponse(xml)).toEqual({ fault: false, value });
    expect(parseMethodResponse(faultResponse(3, "Access Denied"))).toEqual({ fault: true, code: 3, message: "Access Denied" });
    expect(parseMethodCall(methodCall("login", ["db", "u", false]))).toEqual({ methodName: "login", params: ["db", "u", false] });
  });

  it("reads common.login/authenticate as the platform's tests send them and answers a uid or False", () => {
    const call = methodCall("authenticate", ["acme", "owner@example.com", "p\u00e4ss<&>", { base_location: "https://acme.example.com" }]);
    expect(parseMethodCall(call)).toEqual({
      methodName: "authenticate",
      params: ["acme", "owner@example.com", "p\u00e4ss<&>", { base_location: "https://acme.example.com" }],
    });
    expect(methodResponse(2)).toContain("<value><int>2</int></value>");
    expect(parseMethodResponse(methodResponse(2))).toEqual({ fault: false, value: 2 });
    expect(methodResponse(false)).toContain("<value><boolean>0</boolean></value>");
    expect(parseMethodResponse(methodResponse(false))).toEqual({ fault: false, value: false });
  });
});
