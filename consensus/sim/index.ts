/**
 * consensus/sim — the deterministic cluster simulator for Meridian's Raft
 * (TigerBeetle VOPR style): one run is a pure function of its seed.
 *
 * Map of the folder:
 * - rng.ts: the seeded generator (sfc32) every random choice comes from.
 * - network.ts: drops, delays, duplicates, reorders; one-way and symmetric cuts.
 * - disk.ts + state-machine.ts: a replica's durable log, hard state and
 *   state machine (a hash chain); unsynced writes a crash may lose.
 * - replica.ts: the Ready loop over a RawNode, with slow writes, early
 *   leader sends and crashes at chosen points inside a Ready.
 * - simulation.ts: replicas + network + checker, advanced one step at a time.
 * - checker.ts: the safety invariants, checked as the run goes.
 * - parameters.ts, workload.ts, run.ts: a seed's parameters, its nemesis and
 *   clients, the safety phase then healing and the liveness check.
 * - soak.ts: many seeds (npm run soak -- raft).
 */
export { SeededRng } from './rng.ts';
export { InvariantChecker, InvariantViolation, type LogView, type Property } from './checker.ts';
export { Simulation, type SimulationOptions } from './simulation.ts';
export { chooseParameters, describeParameters, raftConfig, type ParameterOverrides, type SimParameters } from './parameters.ts';
export { formatFailure, reproduceCommand, runSimulation, type RunFailure, type RunOptions, type RunResult } from './run.ts';
export { soakRaft, type SoakIo } from './soak.ts';
