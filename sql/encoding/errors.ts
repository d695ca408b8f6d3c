/** Bytes that do not decode as what they claim to be (corrupt, truncated, or of another type). */
export class EncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncodingError';
  }
}
