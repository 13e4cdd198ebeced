// A desktop app people keep open, in browser mode: settings survive a restart, a corrupt settings file is set aside,
// a second launch names the first, and the palette, the shortcut overlay and the menu come from one command list.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { APP_COMMANDS } from '../src/shared/commands'
import { expect, labDirs, root, startLabServer, test } from './fixtures/lab'
import { SCREENSHOTS } from './ui-helpers'

test('settings survive a restart of the lab: interval, sort, theme, view, CPU scale', async ({ page }) => {
  const env = labDirs()
  const first = await startLabServer([], env)
  try {
    await page.goto(first.url)
    await page.getByTestId('interval').selectOption('250')
    await page.getByRole('columnheader', { name: 'PID' }).getByRole('button').click()
    await page.getByTestId('theme').selectOption('dark')
    await page.getByText('% of machine').click()
    await page.getByTestId('columns').locator('summary').click()
    await page.getByTestId('column-tid').uncheck()
    await expect(page.getByRole('columnheader', { name: 'TID' })).toHaveCount(0)
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
    const file = join(env.PARALLEL_LAB_CONFIG_DIR, 'settings.json')
    await expect
      .poll(() => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null))
      .toMatchObject({
        intervalMs: 250,
        sort: { key: 'pid', dir: -1 },
        theme: 'dark',
        cpuScale: 'machine',
        hiddenColumns: ['tid'],
      })
    await page.keyboard.press('Control+3')
    await expect(page.getByTestId('nav-compare')).toHaveAttribute('aria-current', 'page')
    await expect.poll(() => JSON.parse(readFileSync(file, 'utf8')).view).toBe('compare')
  } finally {
    expect(await first.stop()).toBe(0)
  }

  const second = await startLabServer([], env)
  try {
    await page.goto(second.url)
    await expect(page.getByTestId('nav-compare')).toHaveAttribute('aria-current', 'page')
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark')
    await expect(page.getByTestId('interval')).toHaveValue('250')
    await page.keyboard.press('Control+1')
    await expect(page.getByRole('columnheader', { name: 'PID' })).toHaveAttribute('aria-sort', 'descending')
    await expect(page.getByRole('radio', { name: '% of machine' })).toBeChecked()
    await expect(page.getByRole('columnheader', { name: 'TID' })).toHaveCount(0)
    await page.screenshot({ path: `${SCREENSHOTS}/settings-restored-dark.png` })

    // Reset to defaults from the palette.
    await page.keyboard.press('Control+k')
    await page.getByTestId('palette-input').fill('reset')
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('settings-notice')).toContainText('back to their defaults')
    await expect(page.getByTestId('interval')).toHaveValue('500')
    await expect(page.getByRole('columnheader', { name: 'CPU (1 core)' })).toHaveAttribute('aria-sort', 'descending')
    await expect(page.getByRole('columnheader', { name: 'TID' })).toHaveCount(1)
  } finally {
    await second.stop()
  }
})

test('a corrupt settings file: the app starts with the defaults and says so', async ({ page }) => {
  const env = labDirs()
  mkdirSync(env.PARALLEL_LAB_CONFIG_DIR, { recursive: true })
  writeFileSync(join(env.PARALLEL_LAB_CONFIG_DIR, 'settings.json'), '{"theme": "dark", "intervalMs": 25')
  const server = await startLabServer([], env)
  try {
    await page.emulateMedia({ colorScheme: 'light' })
    await page.goto(server.url)
    await expect(page.getByTestId('settings-notice')).toContainText(
      /settings file could not be read .* set aside as .*settings\.corrupt-/,
    )
    await expect(page.getByTestId('interval')).toHaveValue('500')
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light')
    expect(readdirSync(env.PARALLEL_LAB_CONFIG_DIR).some((f) => f.startsWith('settings.corrupt-'))).toBe(true)
    await page.screenshot({ path: `${SCREENSHOTS}/settings-corrupt.png` })
  } finally {
    await server.stop()
  }
})

test('a second browser-mode launch prints the first one’s address and exits 0', async () => {
  const env = labDirs()
  const first = await startLabServer([], env)
  try {
    const second = spawn(process.execPath, ['out/main/web.js'], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    second.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
    second.stderr.setEncoding('utf8').on('data', (c: string) => (out += c))
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve))
    expect(code).toBe(0)
    expect(out).toContain(`already running in browser mode (PID ${first.pid})`)
    expect(out).toContain(first.url)
  } finally {
    await first.stop()
  }
})

test('palette, shortcut overlay and menu list the same commands; keys from the list work', async ({
  page,
  labServer,
}) => {
  await page.goto(labServer.url)
  await expect(page.locator('[role="row"][data-kind="main"]')).toBeVisible()
  await page.keyboard.press('Control+k')
  const palette = page.getByTestId('palette-list')
  await expect(palette).toBeVisible()
  const paletteIds = await palette
    .locator('[data-command]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-command')))
  // The menu is built from APP_COMMANDS too (src/main/index.test.ts checks its items against the same list).
  expect(paletteIds).toEqual(APP_COMMANDS.map((c) => c.id))
  await page.screenshot({ path: `${SCREENSHOTS}/palette.png` })
  await page.keyboard.press('Escape')
  await expect(palette).toBeHidden()

  await page.keyboard.press('?')
  const overlay = page.getByTestId('shortcut-overlay')
  await expect(overlay).toBeVisible()
  const overlayIds = await overlay
    .locator('[data-command]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-command')))
  expect(overlayIds).toEqual(APP_COMMANDS.filter((c) => c.accelerator).map((c) => c.id))
  await expect(overlay).toContainText('Ctrl+1')
  await page.screenshot({ path: `${SCREENSHOTS}/shortcuts.png` })
  await page.keyboard.press('Escape')

  // Keys of the list: Ctrl+2 shows Scenarios, Space pauses, / jumps to the filter (from another view too).
  await page.keyboard.press('Control+2')
  await expect(page.getByTestId('nav-scenarios')).toHaveAttribute('aria-current', 'page')
  await page.keyboard.press('/')
  await expect(page.getByTestId('filter')).toBeFocused()
  await page.getByTestId('filter').press('Escape')
  await page.locator('body').click({ position: { x: 5, y: 790 } })
  await page.keyboard.press('Space')
  await expect(page.getByTestId('pause')).toHaveAttribute('aria-pressed', 'true')
  await page.keyboard.press('Space')
  await expect(page.getByTestId('pause')).toHaveAttribute('aria-pressed', 'false')

  // About names the versions.
  await page.keyboard.press('Control+k')
  await page.getByTestId('palette-input').fill('about')
  await page.keyboard.press('Enter')
  const about = page.getByTestId('about')
  await expect(about).toContainText(/Node\s*20\./)
  await expect(about).toContainText(/Python\s*3\.\d+/)
  await expect(about).toContainText(/Chromium\s*Chrom\w* \d+/)
  await page.screenshot({ path: `${SCREENSHOTS}/about.png` })
})
