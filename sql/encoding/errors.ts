/**
 * Bytes that do not decode as what they claim to be (corrupt, truncated, of
 * another type), or a datum that has no encoding (out of range, not
 * key-encodable). Callers branch on the class; the message is for people.
 */
export class EncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodingError';
  }
}
