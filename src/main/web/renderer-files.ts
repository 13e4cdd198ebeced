// The built renderer (out/renderer) as files to serve: safe path resolution, content types and the Content-Security-Policy.
import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'

/**
 * The renderer's policy: only its own scripts, styles, images and fonts; no inline script, no eval, no plugins,
 * no frames, no forms. Inline styles are allowed (Vue writes style attributes); `wsOrigins` add the browser mode's socket.
 */
export function rendererCsp(wsOrigins: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    ["connect-src 'self'", ...wsOrigins].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
}

export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Maps a URL path ("/assets/index-3f.js") to a regular file inside `rootDir`, or null.
 * "/" is index.html. Encoded traversal, NUL bytes, dot-files, anything outside the folder and symlinks that lead out
 * of it give null.
 */
export async function resolveRendererFile(rootDir: string, urlPath: string): Promise<string | null> {
  let path: string
  try {
    path = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (path.includes('\0') || path.includes('\\')) return null
  if (path === '/' || path === '') path = '/index.html'
  if (path.split('/').some((part) => part === '..' || part.startsWith('.'))) return null
  const root = resolve(rootDir)
  const file = resolve(join(root, path))
  if (!file.startsWith(root + sep)) return null
  try {
    // A symlink is followed only to a file that is itself inside the folder: never out of it.
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)])
    if (!realFile.startsWith(realRoot + sep)) return null
    return (await stat(realFile)).isFile() ? realFile : null
  } catch {
    return null
  }
}

/** A fetch-style response for one renderer file, as Electron's app:// protocol handler returns it. */
export async function rendererResponse(rootDir: string, requestUrl: string): Promise<Response> {
  const file = await resolveRendererFile(rootDir, new URL(requestUrl).pathname)
  if (!file)
    return new Response('There is no such file.', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    })
  return new Response(new Uint8Array(await readFile(file)), {
    status: 200,
    headers: {
      'Content-Type': contentType(file),
      'Content-Security-Policy': rendererCsp(),
      'X-Content-Type-Options': 'nosniff',
    },
  })
}
