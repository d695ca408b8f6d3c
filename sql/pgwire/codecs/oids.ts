/**
 * Type OIDs as PostgreSQL assigns them (pg_type.oid), branded so a column
 * number or a length cannot pass for a type. Drivers hard-code these, so they
 * are a wire contract, not a choice.
 */
import { assert } from '../assert.ts';

declare const oidBrand: unique symbol;
/** A PostgreSQL object identifier (uint32), here a type or table OID. */
export type Oid = number & { readonly [oidBrand]: true };

/** Brands `value` as an OID; asserts it is a uint32. */
export function oid(value: number): Oid {
  assert(Number.isInteger(value) && value >= 0 && value <= 0xffffffff, `OID ${value} is a uint32`);
  return value as Oid;
}

/** "Unspecified": a parameter type left for the server to infer, or no table. */
export const unspecifiedOid = oid(0);

export const boolOid = oid(16);
export const byteaOid = oid(17);
export const nameOid = oid(19);
export const int8Oid = oid(20);
export const int2Oid = oid(21);
export const int4Oid = oid(23);
export const textOid = oid(25);
export const oidOid = oid(26);
export const jsonOid = oid(114);
export const float4Oid = oid(700);
export const float8Oid = oid(701);
export const unknownOid = oid(705);
export const bpcharOid = oid(1042);
export const varcharOid = oid(1043);
export const dateOid = oid(1082);
export const timeOid = oid(1083);
export const timestampOid = oid(1114);
export const timestamptzOid = oid(1184);
export const intervalOid = oid(1186);
export const numericOid = oid(1700);
export const voidOid = oid(2278);
export const uuidOid = oid(2950);
export const jsonbOid = oid(3802);

export const boolArrayOid = oid(1000);
export const byteaArrayOid = oid(1001);
export const nameArrayOid = oid(1003);
export const int2ArrayOid = oid(1005);
export const int4ArrayOid = oid(1007);
export const textArrayOid = oid(1009);
export const bpcharArrayOid = oid(1014);
export const varcharArrayOid = oid(1015);
export const int8ArrayOid = oid(1016);
export const float4ArrayOid = oid(1021);
export const float8ArrayOid = oid(1022);
export const oidArrayOid = oid(1028);
export const timestampArrayOid = oid(1115);
export const dateArrayOid = oid(1182);
export const timeArrayOid = oid(1183);
export const timestamptzArrayOid = oid(1185);
export const intervalArrayOid = oid(1187);
export const numericArrayOid = oid(1231);
export const jsonArrayOid = oid(199);
export const uuidArrayOid = oid(2951);
export const jsonbArrayOid = oid(3807);
