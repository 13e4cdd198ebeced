// The built-in scenarios. The entries hand this list to the Lab; the build turns this file into out/lab/scenarios.mjs,
// the module every unit host is handed to find the unit functions and tasks it runs.
import type { ScenarioDefinition } from '../src/main/lab/scenario-api'
import counters from './counters'
import cpuVsIo from './cpu-vs-io'
import executor from './executor'
import executorMap from './executor-map'
import poolAsync from './pool-async'
import { pythonScenarios } from './python/catalog'
import queue from './queue'
import queueDrain from './queue-drain'
import sharedArray from './shared-array'
import spin from './spin'
import startupCost from './startup-cost'

export const scenarios: readonly ScenarioDefinition[] = [
  counters,
  sharedArray,
  queue,
  queueDrain,
  poolAsync,
  executor,
  executorMap,
  startupCost,
  cpuVsIo,
  spin,
  ...pythonScenarios,
]
