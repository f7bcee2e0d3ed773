// Headless Debian Chromium driven by playwright-core (never a downloaded browser).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { skipUnless } from './skip.js';

export const CHROMIUM = process.env.WASMBED_CHROMIUM ?? '/usr/bin/chromium';

/** node:test skip value: false when Chromium and playwright-core are usable (under CI=true: throws). */
export async function browserSkipReason() {
  const chromium = skipUnless(existsSync(CHROMIUM), `${CHROMIUM} is not found (apt-get install chromium)`);
  if (chromium) return chromium;
  let playwright = true;
  try {
    await import('playwright-core');
  } catch {
    playwright = false;
  }
  return skipUnless(playwright, 'playwright-core is not installed (npm ci)');
}

/**
 * Launches Chromium with a fresh profile; `webgpu` exposes SwiftShader's WebGPU adapter;
 * `ignoreCertificateErrors` accepts a benchmark server's self-signed certificate (HTTP/2).
 */
export async function launchBrowser({ webgpu = false, ignoreCertificateErrors = false } = {}) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'wasmbed-chromium-'));
  const args = [
    '--headless=new', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic',
  ];
  if (webgpu) args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader');
  else args.push('--disable-gpu');
  if (ignoreCertificateErrors) args.push('--ignore-certificate-errors');
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args, ignoreHTTPSErrors: ignoreCertificateErrors });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (err) => console.error('[page error]', err.message));
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
