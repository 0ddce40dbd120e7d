import { readdirSync } from 'node:fs';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);

/**
 * The Markdown files directly in a docs folder, by name: the only files the gateway serves under
 * `/docs/`, so a request names one of them or nothing (no path is ever built from the request).
 *
 * @param directory - the repository's `docs/`
 * @returns the names, sorted; none when the folder does not exist
 * @example
 * listDocs('/repo/docs') // ['api.md', 'architecture.md', 'operations.md', ...]
 */
export function listDocs(directory: string): readonly string[] {
  try {
    return readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.isFile() && /^[a-z0-9][a-z0-9._-]*\.md$/i.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * The gateway's root page: self-contained HTML (no script, no external asset) leading to the admin
 * console at `/admin` and to the documents under `/docs/`.
 *
 * @param docs - the documents' names, from {@link listDocs}
 * @returns the page
 * @example
 * res.end(homePage(['api.md', 'operations.md']));
 */
export function homePage(docs: readonly string[]): string {
  const links = docs.map((name) => `<li><a href="/docs/${encodeURIComponent(name)}">${escapeHtml(name)}</a></li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Veto</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}a{color:#0b57d0}</style>
</head>
<body>
<main>
<h1>Veto</h1>
<p>Event-driven JWT revocation, running locally. The API is under <code>/api</code>, the public keys at <code>/.well-known/jwks.json</code>.</p>
<p><a href="/admin">Admin console</a>: sign in with the admin's email and password from <code>.data/admin.json</code>.</p>
<h2>Documentation</h2>
${docs.length > 0 ? `<ul>${links}</ul>` : '<p>See the <code>docs/</code> folder of the repository.</p>'}
</main>
</body>
</html>
`;
}
