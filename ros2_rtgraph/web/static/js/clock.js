// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// The page's estimate of robot time now: the node clock the samples' `t` are measured in
// (system time on the robot, or sim time under use_sim_time), never the viewer's own clock.
//
// Every meta and stats event (1 Hz) carries server_time, the robot's clock when it was sent.
// It arrives a little later, so server_time - receipt is the offset minus that delay: the
// largest offset of the last few events is the one with the least delay. A robot clock that
// jumps (a restart, a sim clock reset) starts the estimate afresh.

const OFFSETS_KEPT = 5;
const JUMP_SECONDS = 1;

class RobotClock {
  constructor() {
    this.offsets = [];
    this.offset = null; // seconds to add to the viewer's clock; null until the first event
  }

  // serverTime: the robot's clock in seconds, as an event carried it; receivedMs: when the
  // event arrived, on the viewer's clock (Date.now()).
  update(serverTime, receivedMs = Date.now()) {
    if (!Number.isFinite(serverTime)) return;
    const offset = serverTime - receivedMs / 1000;
    if (this.offset !== null && Math.abs(offset - this.offset) > JUMP_SECONDS) this.offsets = [];
    this.offsets.push(offset);
    if (this.offsets.length > OFFSETS_KEPT) this.offsets.shift();
    this.offset = Math.max(...this.offsets);
  }

  // Robot time now in seconds, or null before the first event.
  now(nowMs = Date.now()) {
    return this.offset === null ? null : nowMs / 1000 + this.offset;
  }
}

export {RobotClock};
