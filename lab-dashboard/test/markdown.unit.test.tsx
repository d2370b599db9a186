// @vitest-environment jsdom
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Markdown } from '../src/components/Markdown';
import { parseInline, parseMarkdown } from '../src/lib/markdown';

const LESSON = `## Feel the wait

**Do.** Put something in the cart and check out, timing it:

\`\`\`sh
curl -s -X POST $M/api/orders/checkout   # the answer comes after the email
# a comment, not a heading
\`\`\`

**Watch.**
- All off: the staircase, and \`wait_event_type = Lock\`.
- \`short_lock\`: no session waits behind an idle transaction; two buyers still never both get
  it (the UPDATE checks \`quantity >= n\`).

1. First
2. Second

| Black Friday | monolith | microservices |
| --- | ---: | :---: |
| last answer | 34.1 s | 0.91 s |

**Why.** The monolith does *everything* before it answers. See [the docs](https://example.com/docs).`;

describe('the lessons Markdown reader', () => {
  afterEach(cleanup);

  it('when a lesson is read, then its heading, paragraphs, code, lists and table are blocks of their own', () => {
    const blocks = parseMarkdown(LESSON);
    expect(blocks.map((block) => block.type)).toEqual([
      'heading',
      'paragraph',
      'code',
      'paragraph',
      'list',
      'list',
      'table',
      'paragraph',
    ]);
    expect(blocks[0]).toEqual({ type: 'heading', level: 2, children: [{ type: 'text', text: 'Feel the wait' }] });
    expect(blocks[2]).toEqual({
      type: 'code',
      lang: 'sh',
      text: 'curl -s -X POST $M/api/orders/checkout   # the answer comes after the email\n# a comment, not a heading',
    });
    const bullets = blocks[4];
    expect(bullets.type === 'list' && bullets.items.length).toBe(2);
    // The indented line goes on its item.
    expect(JSON.stringify(bullets)).toContain('never both get it (the UPDATE checks ');
    expect(blocks[5]).toMatchObject({ type: 'list', ordered: true, start: 1 });
    expect(blocks[6]).toMatchObject({ type: 'table', align: [null, 'right', 'center'] });
  });

  it('when text has code, bold, italic and links, then each is an inline node; code keeps its stars', () => {
    expect(parseInline('**Why.** The *monolith* runs `a **b** c` \\*not italic\\*')).toEqual([
      { type: 'strong', children: [{ type: 'text', text: 'Why.' }] },
      { type: 'text', text: ' The ' },
      { type: 'em', children: [{ type: 'text', text: 'monolith' }] },
      { type: 'text', text: ' runs ' },
      { type: 'code', text: 'a **b** c' },
      { type: 'text', text: ' *not italic*' },
    ]);
    expect(parseInline('5 * 3 and a lone ` stay text')).toEqual([
      { type: 'text', text: '5 * 3 and a lone ` stay text' },
    ]);
    expect(parseInline('*a **b** c*')).toEqual([
      {
        type: 'em',
        children: [
          { type: 'text', text: 'a ' },
          { type: 'strong', children: [{ type: 'text', text: 'b' }] },
          { type: 'text', text: ' c' },
        ],
      },
    ]);
    expect(parseInline('[docs](https://example.com/a)')).toEqual([
      { type: 'link', href: 'https://example.com/a', children: [{ type: 'text', text: 'docs' }] },
    ]);
  });

  it('when a link is not a web or mail address, then it is text, not a link', () => {
    for (const target of ['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,x', 'docs/side-by-side.md']) {
      expect(parseInline(`[click](${target})`)[0], target).toMatchObject({ type: 'link', href: null });
    }
  });

  it('when rendered, then the page gets elements, and HTML in the text stays text', () => {
    const { container } = render(
      <Markdown
        text={`${LESSON}\n\n<script>window.hacked = true</script> <img src=x onerror="window.hacked = true">\n\n[x](javascript:window.hacked=1)`}
        headingOffset={1}
      />,
    );
    expect(container.querySelector('h3')?.textContent).toBe('Feel the wait');
    expect(container.querySelector('pre code')?.textContent).toContain('# a comment, not a heading');
    expect(container.querySelectorAll('ul li')).toHaveLength(2);
    expect(container.querySelectorAll('ol li')).toHaveLength(2);
    expect(container.querySelector('table td:nth-child(2)')?.textContent).toBe('34.1 s');
    expect(container.querySelector('strong')?.textContent).toBe('Do.');
    expect(container.querySelector('em')?.textContent).toBe('everything');
    const links = container.querySelectorAll('a');
    expect([...links].map((link) => link.getAttribute('href'))).toEqual(['https://example.com/docs']);
    expect(links[0].getAttribute('rel')).toBe('noopener noreferrer');
    expect(container.querySelector('script, img, [onerror]')).toBeNull();
    expect(container.textContent).toContain('<script>window.hacked = true</script>');
    expect((window as { hacked?: unknown }).hacked).toBeUndefined();
  });

  it("when LESSONS.md itself is read, then every fence closes: no lesson's heading ends up inside code", () => {
    const markdown = fs.readFileSync(path.resolve(import.meta.dirname, '../../LESSONS.md'), 'utf8');
    const blocks = parseMarkdown(markdown);
    const headings = blocks.filter((block) => block.type === 'heading' && block.level === 2);
    expect(headings.length).toBe(markdown.split('\n').filter((line) => line.startsWith('## ')).length);
    const code = blocks.filter((block) => block.type === 'code');
    expect(code.some((block) => block.type === 'code' && /^## /m.test(block.text))).toBe(false);
  });
});
