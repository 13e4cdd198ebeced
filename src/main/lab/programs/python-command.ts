// The Python interpreter the lab runs scripts with: python3, or the command in PARALLEL_LAB_PYTHON.

export function pythonCommand(): string {
  return process.env.PARALLEL_LAB_PYTHON ?? 'python3'
}
