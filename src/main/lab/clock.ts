// The lab clock: monotonic ms since the lab started, and conversion from the absolute times units report.
import { absNow } from './units/protocol'

export class LabClock {
  private readonly epoch = absNow()

  now(): number {
    return absNow() - this.epoch
  }

  /** Units stamp events with performance.timeOrigin + performance.now(); map that onto this clock. */
  fromAbs(abs: number): number {
    return abs - this.epoch
  }
}
