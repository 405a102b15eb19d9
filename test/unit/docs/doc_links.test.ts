import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { PACKAGE_ROOT } from '../../../src/config/schema_registry.js';
import { documentationFiles } from '../../helpers/doc_blocks.js';

/** Guides other changes add next to these ones; until they land, links to them are reported pending. */
const GUIDES_WRITTEN_ALONGSIDE = ['docs/security.md', 'docs/settings.md', 'docs/cli.md', 'docs/raspberry-pi.md', 'docs/encryption-passphrases.md'];

interface Link { readonly from: string; readonly target: string; readonly file: string; readonly anchor: string | null }

function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

function linksOf(file: string): Link[] {
  const from = path.relative(PACKAGE_ROOT, file);
  return [...withoutCode(fs.readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^[a-z]+:/.test(target))
    .map((target) => {
      const [rel = '', anchor] = target.split('#');
      const resolved = rel === '' ? file : path.resolve(path.dirname(file), rel);
      return { from, target, file: path.relative(PACKAGE_ROOT, resolved), anchor: anchor ?? null };
    });
}

/** Heading anchors as GitHub makes them: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(file: string): Set<string> {
  const headings = withoutCode(fs.readFileSync(path.join(PACKAGE_ROOT, file), 'utf8')).split('\n').filter((l) => /^#{1,6} /.test(l));
  return new Set(headings.map((h) => h.replace(/^#+ /, '').trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')));
}

describe('links between the README and the guides', () => {
  const links = documentationFiles(PACKAGE_ROOT).flatMap(linksOf);
  const pending = links.filter((l) => GUIDES_WRITTEN_ALONGSIDE.includes(l.file));
  const own = links.filter((l) => !GUIDES_WRITTEN_ALONGSIDE.includes(l.file));

  it('every relative link names a file of the repository', () => {
    expect(own.filter((l) => !fs.existsSync(path.join(PACKAGE_ROOT, l.file))).map((l) => `${l.from} → ${l.target}`)).to.deep.equal([]);
  });

  it('every link to a heading names one that exists', () => {
    const broken = own.filter((l) => l.anchor !== null && l.file.endsWith('.md') && !anchorsOf(l.file).has(l.anchor));
    expect(broken.map((l) => `${l.from} → ${l.target}`)).to.deep.equal([]);
  });

  it('the README stays a front door of at most 300 lines that links every guide in docs/', () => {
    const readme = fs.readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').length).to.be.at.most(300);
    const linked = new Set(links.filter((l) => l.from === 'README.md').map((l) => l.file));
    const guides = fs.readdirSync(path.join(PACKAGE_ROOT, 'docs')).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`);
    expect(guides.filter((g) => !linked.has(g))).to.deep.equal([]);
  });

  it('the guides written alongside exist', function () {
    const missing = [...new Set(pending.map((l) => l.file))].filter((f) => !fs.existsSync(path.join(PACKAGE_ROOT, f)));
    if (missing.length > 0) this.skip();
  });
});
