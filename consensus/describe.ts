/**
 * One-line renderings of messages, entries and Readys: what the interaction
 * tests print, and what a host may log when debugging a group.
 */
import { decodeConfChange, describeConfChange } from './confchange.ts';
import { ConfChangeError } from './errors.ts';
import type { Entry, Message, Ready } from './types.ts';

const decoder = new TextDecoder();

/** Printable bytes as text, others as hex. */
function bytesText(data: Uint8Array): string {
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b < 0x20 || b > 0x7e) return `0x${Array.from(data, (x) => x.toString(16).padStart(2, '0')).join('')}`;
  }
  return decoder.decode(data);
}

/** "index/term" plus the payload: text, "conf(v4 l5)" for a conf change, nothing when empty. */
export function describeEntry(e: Entry): string {
  const id = `${e.index}/${e.term}`;
  if (e.type === 'confChange') {
    try {
      return `${id} conf(${describeConfChange(decodeConfChange(e.data))})`;
    } catch (error) {
      if (error instanceof ConfChangeError) return `${id} conf(malformed)`;
      throw error;
    }
  }
  return e.data.length === 0 ? id : `${id} ${bytesText(e.data)}`;
}

/** E.g. "1->2 app term=2 prev=3/1 commit=3 entries=[4/2 foo]". */
export function describeMessage(m: Message): string {
  const parts = [`${m.from}->${m.to} ${m.type}`];
  if (m.term > 0) parts.push(`term=${m.term}`);
  switch (m.type) {
    case 'vote':
    case 'preVote':
      parts.push(`last=${m.index}/${m.logTerm}`);
      break;
    case 'app':
      parts.push(`prev=${m.index}/${m.logTerm}`, `commit=${m.commit}`);
      break;
    case 'appResp':
      parts.push(`index=${m.index}`);
      if (m.reject) parts.push(`hint=${m.rejectHint}/${m.logTerm}`);
      break;
    case 'heartbeat':
      parts.push(`commit=${m.commit}`);
      break;
    case 'readIndexResp':
      parts.push(`index=${m.index}`);
      break;
    default:
      break;
  }
  if (m.reject) parts.push('rejected');
  if (m.entries.length > 0) parts.push(`entries=[${m.entries.map(describeEntry).join(', ')}]`);
  if (m.snapshot) {
    const meta = m.snapshot.metadata;
    const cs = meta.confState;
    parts.push(`snapshot=${meta.index}/${meta.term} voters=(${cs.voters.join(',')})` +
      (cs.votersOutgoing.length > 0 ? `&&(${cs.votersOutgoing.join(',')})` : '') +
      (cs.learners.length > 0 ? ` learners=(${cs.learners.join(',')})` : ''));
  }
  if (m.context && m.context.length > 0) parts.push(`ctx=${bytesText(m.context)}`);
  if (m.quiesce) parts.push('quiesce');
  return parts.join(' ');
}

/** A multi-line rendering of a Ready, for debugging. */
export function describeReady(rd: Ready): string {
  const lines: string[] = [];
  if (rd.softState) lines.push(`soft: ${rd.softState.role} lead=${rd.softState.leader}`);
  if (rd.hardState) lines.push(`hard: term=${rd.hardState.term} vote=${rd.hardState.vote} commit=${rd.hardState.commit}`);
  if (rd.snapshot) lines.push(`snapshot: ${rd.snapshot.metadata.index}/${rd.snapshot.metadata.term}`);
  if (rd.entries.length > 0) lines.push(`entries: ${rd.entries.map(describeEntry).join(', ')}`);
  if (rd.committedEntries.length > 0) lines.push(`committed: ${rd.committedEntries.map(describeEntry).join(', ')}`);
  for (const m of rd.messages) lines.push(`msg: ${describeMessage(m)}`);
  for (const rs of rd.readStates) lines.push(`read: ${bytesText(rs.requestContext)} at ${rs.index}`);
  if (rd.mustSync) lines.push('must sync');
  return lines.join('\n');
}
