/**
 * Data-driven interaction tests: each file in testdata/ is a script of
 * commands, each followed by `----` and the output it must produce (the
 * etcd-io/raft interaction-test idea). Regenerate expectations for review with
 *   REWRITE=1 npx vitest run consensus/interaction.test.ts
 *
 * Commands:
 *   add-nodes voters=(1,2,3) [learners=(4)] [seed=N] [prevote=false] [lease=true]
 *   add-node ID                    a new empty node (joins through a conf change)
 *   campaign ID | tick ID N | tick-election ID | tick-all N (tick every node, then stabilize) | stabilize
 *   propose ID DATA | propose-conf-change ID v4 l5 r2 [joint|explicit] | leave-joint ID
 *   isolate ID | cut A B | heal | crash ID | restart ID
 *   compact ID | transfer-leadership FROM TO | read-index ID CTX | quiesce ID
 *   status ID | raft-log ID | applied ID
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SimCluster } from './sim/cluster.ts';
import type { ConfChangeSingle } from './types.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const rewrite = process.env.REWRITE === '1';

interface Block {
  readonly command: string;
  readonly expected: string;
}

function parseScript(text: string): { blocks: Block[]; header: string } {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  const headerLines: string[] = [];
  let i = 0;
  while (i < lines.length && (lines[i]!.startsWith('#') || lines[i]!.trim() === '') && blocks.length === 0) {
    if (lines[i + 1] === '----') break;
    headerLines.push(lines[i]!);
    i++;
  }
  while (i < lines.length) {
    const command = lines[i]!.trim();
    i++;
    if (command === '' || command.startsWith('#')) continue;
    if (lines[i] !== '----') throw new Error(`expected ---- after "${command}"`);
    i++;
    const out: string[] = [];
    while (i < lines.length && lines[i] !== '') out.push(lines[i++]!);
    blocks.push({ command, expected: out.join('\n') });
  }
  return { blocks, header: headerLines.join('\n').trim() };
}

function ids(arg: string | undefined): number[] {
  const m = /\(([\d,\s]*)\)/.exec(arg ?? '');
  return m && m[1]!.trim() ? m[1]!.split(',').map((s) => Number(s.trim())) : [];
}

class Interaction {
  cluster: SimCluster | null = null;

  get c(): SimCluster {
    if (!this.cluster) throw new Error('add-nodes first');
    return this.cluster;
  }

  run(command: string): string {
    const [name, ...args] = command.split(/\s+/);
    const kv = new Map(args.filter((a) => a.includes('=')).map((a) => a.split('=') as [string, string]));
    const trace: string[] = [];
    if (this.cluster) this.cluster.trace = trace;
    const id = Number(args[0]);
    switch (name) {
      case 'add-nodes': {
        this.cluster = new SimCluster({
          seed: Number(kv.get('seed') ?? 1), voters: ids(kv.get('voters')), learners: ids(kv.get('learners')),
          preVote: kv.get('prevote') !== 'false', checkQuorum: true,
          readOnlyOption: kv.get('lease') === 'true' ? 'leaseBased' : 'safe',
        });
        return 'ok';
      }
      case 'add-node': this.c.addNode(id); return 'ok';
      case 'campaign': this.c.node(id).campaign(); this.c.processReadies(); break;
      case 'tick': for (let i = 0; i < Number(args[1]); i++) this.c.node(id).tick(); this.c.processReadies(); break;
      case 'tick-election': {
        const node = this.c.node(id);
        for (let i = 0; i < 40 && node.status().role === 'follower'; i++) node.tick();
        this.c.processReadies();
        break;
      }
      case 'tick-heartbeat': this.c.node(id).tick(); this.c.processReadies(); break;
      case 'tick-all': {
        for (let i = 0; i < id; i++) {
          for (const node of this.c.nodes.values()) node.raw?.tick();
          this.c.stabilize();
        }
        break;
      }
      case 'stabilize': this.c.stabilize(); break;
      case 'propose': {
        if (!this.c.propose(id, args[1] ?? '')) return 'dropped';
        this.c.processReadies();
        break;
      }
      case 'propose-conf-change': {
        const changes: ConfChangeSingle[] = [];
        let transition: 'auto' | 'joint' | 'jointExplicit' = 'auto';
        for (const a of args.slice(1)) {
          if (a === 'joint') transition = 'joint';
          else if (a === 'explicit') transition = 'jointExplicit';
          else changes.push({ type: a[0] === 'v' ? 'addVoter' : a[0] === 'l' ? 'addLearner' : 'removeReplica', replicaId: Number(a.slice(1)) });
        }
        try {
          this.c.node(id).proposeConfChange({ changes, transition });
        } catch (error) {
          return `dropped: ${(error as Error).message}`;
        }
        this.c.processReadies();
        break;
      }
      case 'leave-joint': this.c.node(id).proposeConfChange({ changes: [], transition: 'auto' }); this.c.processReadies(); break;
      case 'isolate': this.c.isolate(id); return 'ok';
      case 'cut': this.c.cut.add(`${args[0]}->${args[1]}`); return 'ok';
      case 'heal': this.c.heal(); return 'ok';
      case 'crash': this.c.crash(id); return 'ok';
      case 'restart': this.c.restart(id); this.c.processReadies(); break;
      case 'compact': {
        this.c.compact(id);
        return `first index ${this.c.nodes.get(id)!.storage.firstIndex()}`;
      }
      case 'transfer-leadership': this.c.node(id).transferLeader(Number(args[1])); this.c.processReadies(); break;
      case 'read-index': this.c.readIndex(id, args[1] ?? ''); this.c.processReadies(); break;
      case 'quiesce': return this.c.node(id).quiesce() ? 'quiesced' : 'cannot quiesce';
      case 'status': {
        const s = this.c.node(id).status();
        return `${s.id} ${s.role} term=${s.term} lead=${s.lead} commit=${s.commit} applied=${s.applied} last=${s.lastIndex} ` +
          `voters=(${s.config.voters.join(',')})` + (s.config.votersOutgoing.length ? `&&(${s.config.votersOutgoing.join(',')})` : '') +
          (s.config.learners.length ? ` learners=(${s.config.learners.join(',')})` : '');
      }
      case 'raft-log': {
        const st = this.c.nodes.get(id)!.storage;
        const first = st.firstIndex();
        const last = st.lastIndex();
        if (last < first) return `empty (snapshot ${first - 1})`;
        return st.entries(first, last + 1, Number.MAX_SAFE_INTEGER)
          .map((e) => `${e.index}/${e.term} ${e.type === 'confChange' ? 'conf change' : new TextDecoder().decode(e.data) || '(empty)'}`).join('\n');
      }
      case 'applied': {
        const node = this.c.nodes.get(id)!;
        return [...node.applied.entries()].sort((a, b) => a[0] - b[0]).map(([i, v]) => `${i} ${v || '(empty)'}`).join('\n') || '(nothing)';
      }
      default:
        throw new Error(`unknown command ${name}`);
    }
    return trace.length > 0 ? trace.join('\n') : 'ok';
  }
}

describe('raft interactions', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    it(file, () => {
      const path = join(dir, file);
      const { blocks, header } = parseScript(readFileSync(path, 'utf8'));
      const interaction = new Interaction();
      const actual = blocks.map((b) => ({ command: b.command, output: interaction.run(b.command) }));
      if (rewrite) {
        const body = actual.map((a) => `${a.command}\n----\n${a.output}\n`).join('\n');
        writeFileSync(path, `${header ? `${header}\n\n` : ''}${body}`);
        return;
      }
      actual.forEach((a, i) => expect(a.output, `${file}: ${a.command}`).toBe(blocks[i]!.expected));
    });
  }
});
