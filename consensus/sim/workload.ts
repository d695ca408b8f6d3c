/**
 * The nemesis and the clients of a safety phase: each step, with the
 * probabilities the run's parameters give, it proposes writes, crashes and
 * restarts replicas (sometimes part way through a Ready), opens and heals
 * partitions (symmetric splits, isolated replicas, one-way links), changes
 * membership (learners added and promoted, voters added, removed and
 * demoted, joint changes left automatically or explicitly), transfers
 * leadership, forces elections, issues ReadIndex requests and compacts logs.
 */
import type { ConfChange, ConfChangeSingle, ConfState, ReplicaId } from '../index.ts';
import type { SimParameters } from './parameters.ts';
import { crashPoints } from './replica.ts';
import type { SeededRng } from './rng.ts';
import type { Simulation } from './simulation.ts';

export class Workload {
  #writes = 0;
  /** New replicas get fresh IDs (a removed one can still come back through a stale change). */
  #nextId: ReplicaId;
  readonly #rng: SeededRng;

  constructor(private readonly sim: Simulation, private readonly p: SimParameters) {
    this.#rng = sim.rng.fork();
    this.#nextId = p.voters + p.learners + 1;
  }

  /** Client writes proposed so far. */
  get writes(): number {
    return this.#writes;
  }

  /** Does this step's share of the workload. */
  step(): void {
    const r = this.#rng;
    const p = this.p;
    if (r.chance(p.proposalRate)) this.#propose();
    if (r.chance(p.crashRate)) this.#crash();
    if (r.chance(p.restartRate)) this.#restart();
    if (r.chance(p.partitionRate)) this.#partition();
    if (r.chance(p.membershipRate)) this.#changeMembership();
    if (r.chance(p.transferRate)) this.#transfer();
    if (r.chance(p.readRate)) this.#read();
    if (r.chance(p.compactionRate)) this.#compact();
    if (r.chance(p.campaignRate)) this.#campaign();
    if (r.chance(p.quiesceRate)) this.#quiesce();
    if (r.chance(p.pauseRate)) this.#pause();
    for (const id of this.sim.removed) if (this.sim.replica(id).live && r.chance(0.05)) this.sim.retire(id);
    for (const id of this.sim.members) if (this.sim.replicas.get(id)?.retired && r.chance(0.2)) this.sim.unretire(id);
  }

  #liveIds(): ReplicaId[] {
    return this.sim.live().map((x) => x.id);
  }

  #propose(): void {
    const live = this.#liveIds();
    if (live.length === 0) return;
    // Clients mostly find the leader, sometimes hit a follower (which forwards).
    const leader = this.sim.leader();
    const at = leader !== 0 && this.#rng.chance(0.7) ? leader : this.#rng.pick(live);
    const burst = this.#rng.chance(0.2) ? this.#rng.between(2, 20) : 1;
    for (let i = 0; i < burst; i++) this.sim.propose(at, this.#payload());
  }

  /** A unique write; now and then a large one, to fill messages and flow-control windows. */
  #payload(): string {
    const id = `w${this.p.seed}.${this.#writes++}`;
    return this.#rng.chance(0.05) ? `${id}:${'x'.repeat(this.#rng.between(50, 1500))}` : id;
  }

  #crash(): void {
    const live = this.#liveIds();
    if (live.length === 0) return;
    const id = this.#rng.pick(live);
    if (this.#rng.chance(0.5)) {
      this.sim.crash(id);
    } else {
      // Strike inside the replica's next Ready.
      this.sim.replica(id).crashAt = this.#rng.pick(crashPoints);
      this.sim.stats.crashes++;
    }
  }

  #restart(): void {
    const down = this.sim.down();
    if (down.length > 0) this.sim.restart(this.#rng.pick(down).id);
  }

  #partition(): void {
    const r = this.#rng;
    const net = this.sim.network;
    const ids = [...this.sim.replicas.keys()];
    net.heal();
    const kind = r.intn(5);
    if (kind === 0) {
      this.sim.event('network healed');
      return;
    }
    if (kind === 1) {
      const id = r.pick(ids);
      net.split([id], ids.filter((x) => x !== id));
      this.sim.event(`partition: ${id} isolated`);
    } else if (kind === 2) {
      const shuffled = r.shuffle([...ids]);
      const cut = r.between(1, Math.max(1, shuffled.length - 1));
      net.split(shuffled.slice(0, cut), shuffled.slice(cut));
      this.sim.event(`partition: (${shuffled.slice(0, cut)}) | (${shuffled.slice(cut)})`);
    } else if (kind === 3) {
      const links: string[] = [];
      const n = r.between(1, ids.length);
      for (let i = 0; i < n; i++) {
        const a = r.pick(ids);
        const b = r.pick(ids);
        if (a === b) continue;
        net.cut(a, b);
        links.push(`${a}->${b}`);
      }
      this.sim.event(`partition: one-way cuts ${links.join(' ')}`);
    } else {
      // A leader that can send but not hear back (or the reverse).
      const leader = this.sim.leader() || r.pick(ids);
      const inbound = r.chance(0.5);
      for (const other of ids) if (other !== leader) (inbound ? net.cut(other, leader) : net.cut(leader, other));
      this.sim.event(`partition: ${leader} ${inbound ? 'deaf' : 'mute'}`);
    }
  }

  /** Proposes a membership change through the current leader's view of the configuration. */
  #changeMembership(): void {
    const leader = this.sim.leader();
    if (leader === 0) return;
    const config = this.sim.replica(leader).raw!.status().config;
    const change = this.#pickChange(config);
    if (!change) return;
    // Now and then through a follower, which forwards it to the leader.
    const via = this.#rng.chance(0.2) ? this.#rng.pick(this.#liveIds()) : leader;
    this.sim.proposeConfChange(via, change);
  }

  #pickChange(c: ConfState): ConfChange | null {
    const r = this.#rng;
    if (c.votersOutgoing.length > 0) {
      // Only an explicit joint configuration waits for us to leave it.
      return c.autoLeave ? null : { changes: [], transition: 'auto' };
    }
    const newReplica = (): ReplicaId => {
      const id = this.#nextId++;
      this.sim.addReplica(id);
      return id;
    };
    const members = c.voters.length + c.learners.length;
    const roll = r.intn(7);
    const single = (change: ConfChangeSingle): ConfChange => ({ changes: [change], transition: 'auto' });
    if (roll === 0 && members < 9) return single({ type: 'addLearner', replicaId: newReplica() });
    if (roll === 1 && c.learners.length > 0) return single({ type: 'addVoter', replicaId: r.pick(c.learners) });
    if (roll === 2 && c.voters.length > 1) return single({ type: 'removeReplica', replicaId: r.pick(c.voters) });
    if (roll === 3 && c.learners.length > 0) return single({ type: 'removeReplica', replicaId: r.pick(c.learners) });
    if (roll === 4 && c.voters.length > 1) return single({ type: 'addLearner', replicaId: r.pick(c.voters) });
    if (roll === 5 && members < 9 && c.voters.length < 4) return single({ type: 'addVoter', replicaId: newReplica() });
    if (roll === 6 && members < 9) {
      // A joint change: add a voter (a learner promoted or a new replica), remove or demote another.
      const changes: ConfChangeSingle[] = [];
      const add = c.learners.length > 0 && r.chance(0.5) ? r.pick(c.learners) : newReplica();
      changes.push({ type: 'addVoter', replicaId: add });
      if (c.voters.length > 1) changes.push({ type: r.chance(0.5) ? 'removeReplica' : 'addLearner', replicaId: r.pick(c.voters) });
      return { changes, transition: r.chance(0.5) ? 'joint' : 'jointExplicit' };
    }
    return null;
  }

  #transfer(): void {
    const leader = this.sim.leader();
    if (leader === 0) return;
    const config = this.sim.replica(leader).raw!.status().config;
    const candidates = config.voters.filter((id) => id !== leader);
    if (candidates.length > 0) this.sim.transferLeader(leader, this.#rng.pick(candidates));
  }

  #read(): void {
    const live = this.#liveIds();
    if (live.length > 0) this.sim.readIndex(this.#rng.pick(live));
  }

  #compact(): void {
    const live = this.#liveIds();
    if (live.length === 0) return;
    const r = this.sim.replica(this.#rng.pick(live));
    const first = r.disk.firstIndex();
    const applied = r.disk.machine.applied;
    // Mostly close behind the applied index, as a log-size policy would, so laggards need snapshots.
    const from = this.#rng.chance(0.7) ? Math.max(first, applied - 10) : first;
    if (applied >= first) this.sim.compact(r.id, this.#rng.between(from, applied));
  }

  /** Stops a replica's clock (the leader's, often) for up to a few election timeouts. */
  #pause(): void {
    const live = this.#liveIds();
    if (live.length === 0) return;
    const leader = this.sim.leader();
    const id = leader !== 0 && this.#rng.chance(0.5) ? leader : this.#rng.pick(live);
    const steps = this.#rng.between(1, 4 * this.p.electionTicks);
    this.sim.replica(id).pausedUntil = this.sim.now + steps;
    this.sim.event(`${id} clock paused for ${steps} steps`);
  }

  #quiesce(): void {
    const leader = this.sim.leader();
    if (leader !== 0) this.sim.quiesce(leader);
  }

  #campaign(): void {
    const live = this.#liveIds();
    if (live.length > 0) this.sim.campaign(this.#rng.pick(live));
  }
}
