// Just enough XML-RPC for Odoo's /xmlrpc/2 endpoints: parse a methodCall, write a
// methodResponse the way Python's xmlrpc.client.dumps does.

export type XmlRpcValue =
  | string
  | number
  | boolean
  | null
  | Date
  | Buffer
  | XmlRpcValue[]
  | { [key: string]: XmlRpcValue };

export interface MethodCall {
  methodName: string;
  params: XmlRpcValue[];
}

export class XmlRpcParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "XmlRpcParseError";
  }
}

type Token = { type: "open" | "close" | "empty"; name: string } | { type: "text"; text: string };

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith("#x")) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function tokenize(xml: string): Token[] {
  const body = xml
    .replace(/<\?[\s\S]*?\?>/g, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_whole, data: string) => escapeXml(data));
  const tokens: Token[] = [];
  const pattern = /<(\/?)([A-Za-z_][\w.:-]*)(?:\s[^>]*?)?\s*(\/?)>|([^<]+)/g;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(body)) !== null) {
    if (match.index !== consumed) throw new XmlRpcParseError("malformed XML");
    consumed = pattern.lastIndex;
    if (match[4] !== undefined) tokens.push({ type: "text", text: unescapeXml(match[4]) });
    else if (match[1] === "/") tokens.push({ type: "close", name: match[2] as string });
    else tokens.push({ type: match[3] === "/" ? "empty" : "open", name: match[2] as string });
  }
  if (consumed !== body.length) throw new XmlRpcParseError("malformed XML");
  return tokens;
}

class Reader {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  private skipSpace(): void {
    for (;;) {
      const token = this.tokens[this.index];
      if (token?.type === "text" && token.text.trim() === "") this.index += 1;
      else return;
    }
  }

  peekTag(): { type: "open" | "close" | "empty"; name: string } | undefined {
    this.skipSpace();
    const token = this.tokens[this.index];
    return token && token.type !== "text" ? token : undefined;
  }

  /** Opens <name>; returns false for <name/>. */
  open(name: string): boolean {
    this.skipSpace();
    const token = this.tokens[this.index];
    if (!token || token.type === "text" || token.type === "close" || token.name !== name) {
      throw new XmlRpcParseError(`expected <${name}>`);
    }
    this.index += 1;
    return token.type === "open";
  }

  close(name: string): void {
    this.skipSpace();
    const token = this.tokens[this.index];
    if (!token || token.type !== "close" || token.name !== name) throw new XmlRpcParseError(`expected </${name}>`);
    this.index += 1;
  }

  /** Raw text up to the next tag (not trimmed). */
  text(): string {
    let text = "";
    for (;;) {
      const token = this.tokens[this.index];
      if (token?.type !== "text") return text;
      text += token.text;
      this.index += 1;
    }
  }

  textElement(name: string): string {
    if (!this.open(name)) return "";
    const text = this.text();
    this.close(name);
    return text;
  }

  value(): XmlRpcValue {
    if (!this.open("value")) return "";
    const inner = this.text();
    const tag = this.peekTag();
    if (!tag || tag.type === "close") {
      this.close("value");
      return inner;
    }
    let result: XmlRpcValue;
    const name = tag.name;
    switch (name) {
      case "string":
        result = this.textElement(name);
        break;
      case "int":
      case "i4":
      case "i8": {
        const raw = this.textElement(name).trim();
        if (!/^[+-]?\d+$/.test(raw)) throw new XmlRpcParseError(`bad integer '${raw}'`);
        result = Number.parseInt(raw, 10);
        break;
      }
      case "double":
        result = Number.parseFloat(this.textElement(name));
        break;
      case "boolean": {
        const raw = this.textElement(name).trim();
        if (raw !== "0" && raw !== "1") throw new XmlRpcParseError(`bad boolean '${raw}'`);
        result = raw === "1";
        break;
      }
      case "nil":
        if (this.open(name)) this.close(name);
        result = null;
        break;
      case "base64":
        result = Buffer.from(this.textElement(name).replace(/\s+/g, ""), "base64");
        break;
      case "dateTime.iso8601":
        result = this.textElement(name).trim();
        break;
      case "array": {
        const items: XmlRpcValue[] = [];
        if (this.open("array")) {
          if (this.open("data")) {
            while (this.peekTag()?.name === "value" && this.peekTag()?.type !== "close") items.push(this.value());
            this.close("data");
          }
          this.close("array");
        }
        result = items;
        break;
      }
      case "struct": {
        const struct: Record<string, XmlRpcValue> = {};
        if (this.open("struct")) {
          while (this.peekTag()?.name === "member" && this.peekTag()?.type !== "close") {
            this.open("member");
            const key = this.textElement("name");
            struct[key] = this.value();
            this.close("member");
          }
          this.close("struct");
        }
        result = struct;
        break;
      }
      default:
        throw new XmlRpcParseError(`unsupported type <${name}>`);
    }
    this.close("value");
    return result;
  }

  done(): boolean {
    this.skipSpace();
    return this.index >= this.tokens.length;
  }
}

export function parseMethodCall(xml: string): MethodCall {
  const reader = new Reader(tokenize(xml));
  reader.open("methodCall");
  const methodName = reader.textElement("methodName").trim();
  const params: XmlRpcValue[] = [];
  const next = reader.peekTag();
  if (next?.name === "params") {
    if (reader.open("params")) {
      while (reader.peekTag()?.name === "param" && reader.peekTag()?.type !== "close") {
        if (reader.open("param")) {
          params.push(reader.value());
          reader.close("param");
        }
      }
      reader.close("params");
    }
  }
  reader.close("methodCall");
  if (!reader.done()) throw new XmlRpcParseError("trailing content after </methodCall>");
  if (methodName === "") throw new XmlRpcParseError("empty methodName");
  return { methodName, params };
}

function dumpValue(value: XmlRpcValue): string {
  if (value === null) return "<value><nil/></value>";
  if (typeof value === "boolean") return `<value><boolean>${value ? 1 : 0}</boolean></value>\n`;
  if (typeof value === "number") {
    if (Number.isInteger(value)) return `<value><int>${value}</int></value>\n`;
    return `<value><double>${String(value)}</double></value>\n`;
  }
  if (typeof value === "string") return `<value><string>${escapeXml(value)}</string></value>\n`;
  if (value instanceof Date) {
    const iso = value.toISOString().replace(/[-]/g, "").replace(/\.\d+Z$/, "");
    return `<value><dateTime.iso8601>${iso}</dateTime.iso8601></value>\n`;
  }
  if (Buffer.isBuffer(value)) return `<value><base64>\n${value.toString("base64")}\n</base64></value>\n`;
  if (Array.isArray(value)) return `<value><array><data>\n${value.map(dumpValue).join("")}</data></array></value>\n`;
  const members = Object.entries(value)
    .map(([key, member]) => `<member>\n<name>${escapeXml(key)}</name>\n${dumpValue(member)}</member>\n`)
    .join("");
  return `<value><struct>\n${members}</struct></value>\n`;
}

export function methodResponse(value: XmlRpcValue): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${dumpValue(value)}</param>\n</params>\n</methodResponse>\n`;
}

export function faultResponse(code: number, message: string): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n${dumpValue({ faultCode: code, faultString: message })}</fault>\n</methodResponse>\n`;
}

/** Reads a methodResponse (used by tests and the stand-in's own checks). */
export function parseMethodResponse(xml: string): { fault: false; value: XmlRpcValue } | { fault: true; code: number; message: string } {
  const reader = new Reader(tokenize(xml));
  reader.open("methodResponse");
  const tag = reader.peekTag();
  if (tag?.name === "fault") {
    reader.open("fault");
    const value = reader.value();
    reader.close("fault");
    reader.close("methodResponse");
    const struct = (value ?? {}) as Record<string, XmlRpcValue>;
    return { fault: true, code: Number(struct.faultCode), message: String(struct.faultString) };
  }
  reader.open("params");
  reader.open("param");
  const value = reader.value();
  reader.close("param");
  reader.close("params");
  reader.close("methodResponse");
  return { fault: false, value };
}

export function methodCall(methodName: string, params: XmlRpcValue[]): string {
  const body = params.map((param) => `<param>\n${dumpValue(param)}</param>\n`).join("");
  return `<?xml version='1.0'?>\n<methodCall>\n<methodName>${escapeXml(methodName)}</methodName>\n<params>\n${body}</params>\n</methodCall>\n`;
}
