/**
 * A small Markdown reader for the lessons' prose (LESSONS.md): the part of Markdown that file uses, parsed into plain
 * data that components/Markdown.tsx turns into React elements. No HTML string is ever built and none in the text is
 * interpreted: a `<script>` in the Markdown stays text, as React escapes every string it renders.
 *
 * Blocks: ATX headings, paragraphs, fenced code (``` or ~~~, with its language), bullet and numbered lists (one
 * level, continuation lines joined), GitHub tables, block quotes. Inline: `code`, **bold**, *italic*, [links](url),
 * backslash escapes. Raw HTML, setext headings and nested lists are not read: they come out as text.
 */

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'strong'; children: Inline[] }
  | { type: 'em'; children: Inline[] }
  /** href is null when the target is not a web or mail address (javascript:, data:, a path): shown as text. */
  | { type: 'link'; href: string | null; children: Inline[] };

export type Align = 'left' | 'center' | 'right' | null;

export type Block =
  | { type: 'heading'; level: number; children: Inline[] }
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'code'; lang: string | null; text: string }
  | { type: 'list'; ordered: boolean; start: number; items: Inline[][] }
  | { type: 'table'; align: Align[]; head: Inline[][]; rows: Inline[][][] }
  | { type: 'quote'; children: Block[] };

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$/;
const ITEM = /^ {0,3}(?:([-*+])|(\d{1,9})[.)])\s+(.*)$/;
const TABLE_DELIMITER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;

const isBlank = (line: string) => line.trim() === '';

/**
 * A line that ends a paragraph without a blank line before it: a heading, a fence, a quote, a bullet, or a numbered
 * item that starts at 1 (so that a wrapped "2. ..." in a sentence stays in it).
 */
function startsBlock(line: string): boolean {
  const item = ITEM.exec(line);
  return FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || (!!item && (!item[2] || Number(item[2]) === 1));
}

/** A table row's cells, without its outer pipes; `\|` is a pipe inside a cell. */
function cellsOf(row: string): string[] {
  const trimmed = row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '');
  return trimmed.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

function alignOf(cell: string): Align {
  const left = cell.startsWith(':');
  const right = cell.endsWith(':');
  if (left && right) return 'center';
  if (right) return 'right';
  if (left) return 'left';
  return null;
}

export function parseMarkdown(markdown: string): Block[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let at = 0;
  while (at < lines.length) {
    const line = lines[at];
    if (isBlank(line)) {
      at++;
      continue;
    }

    const fence = FENCE.exec(line);
    if (fence) {
      const [, indent, marker, lang] = fence;
      const body: string[] = [];
      at++;
      while (at < lines.length && !new RegExp(`^ {0,3}${marker[0]}{${marker.length},}\\s*$`).test(lines[at])) {
        // The fence's own indentation is taken off its lines, as CommonMark does.
        body.push(lines[at].replace(new RegExp(`^ {0,${indent.length}}`), ''));
        at++;
      }
      at++; // the closing fence (or the end of the text: an unclosed fence runs to it)
      blocks.push({ type: 'code', lang: lang || null, text: body.join('\n') });
      continue;
    }

    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ type: 'heading', level: heading[1].length, children: parseInline(heading[2] ?? '') });
      at++;
      continue;
    }

    if (line.includes('|') && at + 1 < lines.length && TABLE_DELIMITER.test(lines[at + 1])) {
      const head = cellsOf(line);
      const align = cellsOf(lines[at + 1]).map(alignOf);
      at += 2;
      const rows: Inline[][][] = [];
      while (at < lines.length && !isBlank(lines[at]) && lines[at].includes('|') && !startsBlock(lines[at])) {
        const cells = cellsOf(lines[at]);
        rows.push(head.map((_, column) => parseInline(cells[column] ?? '')));
        at++;
      }
      blocks.push({ type: 'table', align, head: head.map((cell) => parseInline(cell)), rows });
      continue;
    }

    if (QUOTE.test(line)) {
      const inner: string[] = [];
      while (at < lines.length && !isBlank(lines[at])) {
        const quoted = QUOTE.exec(lines[at]);
        // A line without ">" goes on the quote's paragraph (a lazy continuation).
        inner.push(quoted ? quoted[1] : lines[at]);
        at++;
      }
      blocks.push({ type: 'quote', children: parseMarkdown(inner.join('\n')) });
      continue;
    }

    const first = ITEM.exec(line);
    if (first) {
      const ordered = first[2] !== undefined;
      const items: string[][] = [];
      while (at < lines.length) {
        const item = ITEM.exec(lines[at]);
        if (item && (item[2] !== undefined) === ordered) {
          items.push([item[3]]);
          at++;
        } else if (
          !isBlank(lines[at]) &&
          !item &&
          !FENCE.test(lines[at]) &&
          !HEADING.test(lines[at]) &&
          !QUOTE.test(lines[at])
        ) {
          // An indented line (or a lazy one) goes on the item above.
          items[items.length - 1].push(lines[at].trim());
          at++;
        } else if (isBlank(lines[at]) && at + 1 < lines.length && ITEM.exec(lines[at + 1])) {
          at++; // a blank line between two items: the same list
        } else {
          break;
        }
      }
      blocks.push({
        type: 'list',
        ordered,
        start: ordered ? Number(first[2]) : 1,
        items: items.map((item) => parseInline(item.join('\n'))),
      });
      continue;
    }

    const paragraph: string[] = [];
    while (at < lines.length && !isBlank(lines[at]) && (paragraph.length === 0 || !startsBlock(lines[at]))) {
      paragraph.push(lines[at].trim());
      at++;
    }
    blocks.push({ type: 'paragraph', children: parseInline(paragraph.join('\n')) });
  }
  return blocks;
}

const ESCAPABLE = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;

/** Where a run of exactly n backticks starts at or after from, or -1. */
function closingBackticks(text: string, from: number, n: number): number {
  for (let at = text.indexOf('`', from); at >= 0; at = text.indexOf('`', at)) {
    let end = at;
    while (text[end] === '`') end++;
    if (end - at === n) return at;
    at = end;
  }
  return -1;
}

/** Where delimiter next starts at or after from, outside code spans and escapes, or -1. */
function closing(text: string, from: number, delimiter: string, test: (at: number) => boolean = () => true): number {
  let at = from;
  while (at < text.length) {
    if (text[at] === '\\') {
      at += 2;
      continue;
    }
    if (text[at] === '`') {
      let end = at;
      while (text[end] === '`') end++;
      const close = closingBackticks(text, end, end - at);
      at = close < 0 ? end : close + (end - at);
      continue;
    }
    if (text.startsWith(delimiter, at) && test(at)) return at;
    at++;
  }
  return -1;
}

/** Only web and mail addresses become links; anything else (javascript:, data:, a path of the repository) is text. */
export function safeHref(url: string): string | null {
  const trimmed = url.trim();
  return /^(https?:\/\/|mailto:)/i.test(trimmed) ? trimmed : null;
}

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let buffer = '';
  const flush = () => {
    if (buffer) out.push({ type: 'text', text: buffer.replace(/\n/g, ' ') });
    buffer = '';
  };
  let at = 0;
  while (at < text.length) {
    const char = text[at];

    if (char === '\\' && ESCAPABLE.test(text[at + 1] ?? '')) {
      buffer += text[at + 1];
      at += 2;
      continue;
    }

    if (char === '`') {
      let end = at;
      while (text[end] === '`') end++;
      const close = closingBackticks(text, end, end - at);
      if (close < 0) {
        buffer += text.slice(at, end);
        at = end;
        continue;
      }
      let code = text.slice(end, close).replace(/\n/g, ' ');
      if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ')) code = code.slice(1, -1);
      flush();
      out.push({ type: 'code', text: code });
      at = close + (end - at);
      continue;
    }

    if (text.startsWith('**', at) && text[at + 2] && !/\s/.test(text[at + 2])) {
      const close = closing(text, at + 2, '**', (end) => !/\s/.test(text[end - 1]));
      if (close > at + 2) {
        flush();
        out.push({ type: 'strong', children: parseInline(text.slice(at + 2, close)) });
        at = close + 2;
        continue;
      }
    }

    if (char === '*' && text[at + 1] && !/[\s*]/.test(text[at + 1])) {
      const close = closing(text, at + 1, '*', (end) => !/[\s*]/.test(text[end - 1]) && text[end + 1] !== '*');
      if (close > at + 1) {
        flush();
        out.push({ type: 'em', children: parseInline(text.slice(at + 1, close)) });
        at = close + 1;
        continue;
      }
    }

    if (char === '[') {
      const label = closing(text, at + 1, ']');
      if (label > at && text[label + 1] === '(') {
        const target = text.indexOf(')', label + 2);
        if (target > label) {
          flush();
          const href = safeHref(text.slice(label + 2, target).split(/\s+"/)[0]);
          out.push({ type: 'link', href, children: parseInline(text.slice(at + 1, label)) });
          at = target + 1;
          continue;
        }
      }
    }

    buffer += char;
    at++;
  }
  flush();
  return out;
}
