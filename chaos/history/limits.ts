/**
 * Limits of the history format. A history is written by our own recorder,
 * but it is read back from disk, so the reader bounds what it buffers.
 */
import { assert } from './assert.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The longest JSON line accepted: a list-append read of a long list runs to tens of KiB. */
export const historyLineBytesMax = 16 * MiB;
/** Bytes read from a history file per read call. */
export const historyReadChunkBytes = 1 * MiB;

assert(historyReadChunkBytes <= historyLineBytesMax, 'a read chunk must fit in the line buffer');
