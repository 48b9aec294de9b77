// Mail HTML made safe to show in the studio, and text for mail that has only HTML.
// sanitize-html does the parsing; what it allows is our choice: formatting tags, links and
// tables, no scripts, forms, frames, styles or event handlers, and nothing that loads from
// the network by itself (a remote image is a read receipt for the sender, and a tracker).
import { convert } from 'html-to-text';
import sanitizeHtml from 'sanitize-html';

export interface SafeHtml {
  html: string;
  /** Images or other sources that would have loaded from the network were removed. */
  remoteBlocked: boolean;
}

const ALLOWED_TAGS = [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center', 'u', 's', 'strike'];

/** Sanitized HTML: inline images stay as cid: (the attachment they name) or data: URLs. */
export function sanitizeMailHtml(html: string): SafeHtml {
  let remoteBlocked = false;
  const out = sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ['href', 'title', 'rel', 'target'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      font: ['color', 'size', 'face'],
      td: ['colspan', 'rowspan', 'align', 'valign'],
      th: ['colspan', 'rowspan', 'align', 'valign'],
      table: ['border', 'cellpadding', 'cellspacing', 'width'],
      '*': ['dir', 'lang'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['cid', 'data'] },
    allowProtocolRelative: false,
    // A link in a mail opens elsewhere, without telling the target where it came from.
    transformTags: {
      a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }),
      img: (tagName, attribs) => {
        const src = (attribs.src ?? '').trim();
        if (src && !/^(cid|data):/i.test(src)) {
          remoteBlocked = true;
          const { src: _dropped, ...rest } = attribs;
          return { tagName, attribs: rest };
        }
        return { tagName, attribs };
      },
    },
  });
  return { html: out, remoteBlocked };
}

/** Plain text of an HTML body (links written out, images left out), for mail without a text part. */
export function textOfHtml(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ],
  }).trim();
}
