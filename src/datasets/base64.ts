// Strict base64 decoding for uploads: Node's decoder silently skips bad characters, so check first.
import { ValidationError } from '../errors.js';

const INVALID = /[^A-Za-z0-9+/=_\-\r\n]/;

/** Decodes standard or URL-safe base64 (line breaks allowed), refusing bad characters and oversized content before allocating. */
export function decodeBase64Upload(text: string, maxBytes: number, field = 'file_content_base64'): Buffer {
  const bad = INVALID.exec(text);
  if (bad) throw new ValidationError(`${field} is not valid base64: unexpected character at position ${bad.index}`);
  const clean = /[\r\n]/.test(text) ? text.replace(/[\r\n]/g, '') : text;
  const firstPad = clean.indexOf('=');
  const padding = firstPad === -1 ? 0 : clean.length - firstPad;
  if (
    padding > 2 ||
    (firstPad !== -1 && !/^=+$/.test(clean.slice(firstPad))) ||
    clean.length % 4 === 1 ||
    (padding > 0 && clean.length % 4 !== 0)
  ) {
    throw new ValidationError(`${field} is not valid base64: bad length or padding`);
  }
  const decodedSize = Math.floor(((clean.length - padding) * 3) / 4);
  if (decodedSize > maxBytes) {
    throw new ValidationError(`file too large: ${decodedSize} bytes after decoding; the limit is ${maxBytes} bytes`);
  }
  if (decodedSize === 0) throw new ValidationError('file is empty');
  return Buffer.from(clean, 'base64');
}
