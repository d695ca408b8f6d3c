/** A key that the key space does not accept (empty, oversized, malformed, out of bounds). */
export class InvalidKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidKeyError';
  }
}
