import fs from 'node:fs';
import path from 'node:path';
import { distributionSpec, renderSvg, timelineSpec } from './charts';
import { toMarkdown } from './markdown';
import type { Report } from './report';

export interface WrittenReport {
  dir: string;
  files: string[];
  markdown: string;
}

/** Writes report.json, report.md and the SVG charts (rendered by vega) into outDir. */
export async function writeReport(report: Report, outDir: string): Promise<WrittenReport> {
  fs.mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const charts: string[] = [];
  const specs: [string, object | null][] = [
    ['processing-distribution.svg', distributionSpec(report)],
    ['order-timeline.svg', timelineSpec(report)],
  ];
  for (const [name, spec] of specs) {
    if (!spec) continue;
    fs.writeFileSync(path.join(outDir, name), await renderSvg(spec));
    fs.writeFileSync(path.join(outDir, name.replace(/\.svg$/, '.vg.json')), JSON.stringify(spec, null, 2));
    charts.push(name);
  }
  const markdown = toMarkdown(report, charts);
  fs.writeFileSync(path.join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, 'report.md'), `${markdown}\n`);
  files.push('report.json', 'report.md', ...charts, ...charts.map((c) => c.replace(/\.svg$/, '.vg.json')));
  return { dir: outDir, files, markdown };
}
