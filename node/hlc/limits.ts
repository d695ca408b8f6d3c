/** Default tolerated clock skew between nodes: 500 ms, as CockroachDB's default. */
export const hlcMaxOffsetMicrosDefault = 500_000;
/** The logical counter is a uint32. */
export const logicalMax = 0xffff_ffff;
