// The report is a web page, so it is tested in a real browser: Debian's chromium, headless,
// driven by playwright-core. No chromium is a failure, never a skip (.ci/run installs it).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BrowserContext, chromium } from 'playwright-core';
import { Mesh, buildMatrix, loadManifests, renderHtml } from '../../lib';

const ROOT = path.join(__dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const BOOKINFO = path.join(ROOT, '..', 'shared', 'samples', 'bookinfo');
const fixture = (name: string) => path.join(ROOT, 'test', 'fixtures', 'bookinfo', name);

const ALLOW_COLOUR = 'rgb(46, 160, 67)';
const DENY_COLOUR = 'rgb(207, 34, 46)';

jest.setTimeout(90_000);

describe('the Bookinfo reachability report in chromium', () => {
  let context: BrowserContext;
  let page: Awaited<ReturnType<BrowserContext['newPage']>>;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hm-chromium-'));

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`,
      );
    }
    const mesh = Mesh.fromManifests(
      loadManifests([
        BOOKINFO,
        fixture('namespace-waypoint.yaml'),
        fixture('waypoint.yaml'),
        fixture('productpage-waypoint.yaml'),
        fixture('productpage-ztunnel-waypoint.yaml'),
      ]),
    );
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'bookinfo-matrix.html');
    fs.writeFileSync(file, renderHtml(buildMatrix(mesh), 'Bookinfo reachability'));

    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1100, height: 800 },
    });
    page = await context.newPage();
    await page.goto(`file://${file}`);
  });

  afterAll(async () => {
    await context?.close();
    fs.rmSync(profile, { recursive: true, force: true });
  });

  const cell = (from: string, to: string) =>
    page.locator(`td[data-from="${from}"][data-to="${to}"]`);

  test('renders one row per mesh workload and one column per Service port', async () => {
    await expect(page.locator('#matrix tbody tr').count()).resolves.toBe(8);
    await expect(page.locator('#matrix thead th.col').count()).resolves.toBe(5);
  });

  test('colours known pairs: curl to productpage allowed (GET via waypoint), reviews to productpage denied', async () => {
    const colour = (from: string, to: string) =>
      cell(from, to).evaluate(
        (element) => element.ownerDocument.defaultView!.getComputedStyle(element).backgroundColor,
      );
    await expect(colour('Deployment default/curl', 'default/productpage:9080')).resolves.toBe(
      ALLOW_COLOUR,
    );
    await expect(colour('Deployment default/reviews-v1', 'default/productpage:9080')).resolves.toBe(
      DENY_COLOUR,
    );
    await expect(
      colour('Gateway default/bookinfo-gateway', 'default/productpage:9080'),
    ).resolves.toBe(ALLOW_COLOUR);
    await expect(colour('Deployment default/productpage-v1', 'default/reviews:9080')).resolves.toBe(
      ALLOW_COLOUR,
    );
  });

  test('hovering a cell shows the deciding policy', async () => {
    const target = cell('Deployment default/reviews-v1', 'default/productpage:9080');
    const tip = target.locator('.tip');
    await expect(tip.isVisible()).resolves.toBe(false);
    await target.hover();
    await expect(tip.isVisible()).resolves.toBe(true);
    await expect(tip.innerText()).resolves.toContain(
      'deny by waypoint; policy: default/productpage-waypoint',
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'bookinfo-matrix.png'), fullPage: true });
    expect(fs.statSync(path.join(ARTIFACTS, 'bookinfo-matrix.png')).size).toBeGreaterThan(1000);
  });
});
