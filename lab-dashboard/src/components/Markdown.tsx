import { type ReactNode, useMemo } from 'react';
import { type Block, type Inline, parseMarkdown } from '../lib/markdown';

/** Inline Markdown as React elements: every string is a text node, so React escapes it. */
function Inlines({ nodes }: { nodes: Inline[] }): ReactNode {
  return nodes.map((node, index) => {
    const key = `${node.type}-${index}`;
    switch (node.type) {
      case 'text':
        return node.text;
      case 'code':
        return <code key={key}>{node.text}</code>;
      case 'strong':
        return (
          <strong key={key}>
            <Inlines nodes={node.children} />
          </strong>
        );
      case 'em':
        return (
          <em key={key}>
            <Inlines nodes={node.children} />
          </em>
        );
    }
    // A link: only a web or mail address (lib/markdown.ts's safeHref) gets an href, and it opens in a new tab.
    return node.href ? (
      <a key={key} href={node.href} target="_blank" rel="noopener noreferrer">
        <Inlines nodes={node.children} />
      </a>
    ) : (
      <span key={key}>
        <Inlines nodes={node.children} />
      </span>
    );
  });
}

function BlockView({ block, headingOffset }: { block: Block; headingOffset: number }): ReactNode {
  switch (block.type) {
    case 'heading': {
      const Tag = `h${Math.min(6, block.level + headingOffset)}` as 'h1';
      return (
        <Tag>
          <Inlines nodes={block.children} />
        </Tag>
      );
    }
    case 'paragraph':
      return (
        <p>
          <Inlines nodes={block.children} />
        </p>
      );
    case 'code':
      return (
        <pre data-lang={block.lang ?? undefined}>
          <code>{block.text}</code>
        </pre>
      );
    case 'list': {
      const items = block.items.map((item, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the items of a fixed text, never reordered
        <li key={index}>
          <Inlines nodes={item} />
        </li>
      ));
      return block.ordered ? <ol start={block.start}>{items}</ol> : <ul>{items}</ul>;
    }
    case 'table':
      return (
        <div className="markdown-table">
          <table className="compact">
            <thead>
              <tr>
                {block.head.map((cell, column) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the columns of a fixed text
                  <th key={column} style={{ textAlign: block.align[column] ?? undefined }}>
                    <Inlines nodes={cell} />
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {block.rows.map((row, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the rows of a fixed text
                <tr key={index}>
                  {row.map((cell, column) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the columns of a fixed text
                    <td key={column} style={{ textAlign: block.align[column] ?? undefined }}>
                      <Inlines nodes={cell} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    case 'quote':
      return (
        <blockquote>
          <Blocks blocks={block.children} headingOffset={headingOffset} />
        </blockquote>
      );
  }
}

function Blocks({ blocks, headingOffset }: { blocks: Block[]; headingOffset: number }): ReactNode {
  // biome-ignore lint/suspicious/noArrayIndexKey: the blocks of a fixed text, never reordered
  return blocks.map((block, index) => <BlockView key={index} block={block} headingOffset={headingOffset} />);
}

/**
 * Markdown (a lesson's section of LESSONS.md) rendered as React elements, never as HTML: a tag in the text shows as
 * text. headingOffset moves headings down under the page's own (1: `##` becomes an h3).
 */
export function Markdown({ text, headingOffset = 0 }: { text: string; headingOffset?: number }) {
  const blocks = useMemo(() => parseMarkdown(text), [text]);
  return (
    <div className="markdown">
      <Blocks blocks={blocks} headingOffset={headingOffset} />
    </div>
  );
}
