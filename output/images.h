/*
 * images.h - the pieces of `output.images: download` that do not touch the
 * network: finding the images of a rendered body and rewriting their URLs,
 * telling an image file from anything else by its bytes, naming stored
 * images, and expanding the images_dir / images_url templates safely.
 * cli/pipeline.c composes them with net/fetch.h.
 *
 * Bodies are rewritten after rendering, in the text newsmd itself wrote
 * (output/md.c for Markdown, extractor/clean.h's clean_html for HTML), so
 * the scanners read exactly those forms:
 * - HTML: <img ... src="V" ...> with V escaped (&amp; &lt; &gt; &quot;).
 *   In HTML bodies text never holds a raw '<', so every "<img" is a tag.
 * - Markdown: ![ALT](DEST) and ![ALT](DEST "TITLE"), DEST plain (with
 *   backslash escapes and balanced parentheses) or in <...>; '&' written
 *   as &amp;.  Also <img src="V"> in the HTML blocks md.c writes for
 *   tables it cannot express in Markdown.  An "<img" or "![" after a
 *   backslash is text.  (Known limit: code that spells out an image with
 *   the same absolute URL as a real one is rewritten too.)
 */
#ifndef NM_IMAGES_H
#define NM_IMAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "output/tmpl.h"

/* Images larger than this are not stored (the link is kept): news photos
 * are well below 5 MiB; anything bigger is a poster, a video or a trap. */
#define IMAGES_MAX_BYTES (20 * 1024 * 1024)
/* At most this many images are downloaded per post; the rest keep their
 * links.  Galleries reach ~100; more is a page of thumbnails, not an
 * article, and each download costs a request to the site. */
#define IMAGES_MAX_PER_POST 200
/* The stem of a stored image's name: this many hex digits of a 64-bit
 * hash of its URL (a collision needs ~4 billion images in one folder). */
#define IMAGES_STEM_LEN 16

/* Returns the URL to link instead of url (borrowed until the next call),
 * or NULL to keep url.  url is decoded (as a browser would load it). */
typedef const char *(*images_map_fn)(void *ctx, const char *url);

/* Appends body[0..n) to out with the source URL of each image replaced by
 * map's answer; html: body is clean HTML, else newsmd Markdown.  A
 * replacement is written as is, so it must be a URL that needs no
 * escaping in either form (images_url_encode makes one).  Returns how many
 * URLs were replaced. */
size_t images_rewrite(const char *body, size_t n, bool html, images_map_fn map, void *ctx,
		      struct buf *out);

/* The file extension ("jpg", "png", "gif", "webp", "avif", "heic", "jxl",
 * "bmp", "tif", "ico") for a response: the bytes must start with that
 * format's signature, and ctype (the Content-Type, may be NULL) must be an
 * image/ type other than SVG (which can carry scripts and would be served
 * from the site's own origin), or application/octet-stream, or missing
 * (CDNs send both for images).  NULL: not an image we store. */
const char *images_ext(const char *ctype, const char *data, size_t n);

/* Appends the stem of url's stored name: IMAGES_STEM_LEN hex digits. */
void images_stem(const char *url, struct buf *out);

/* True when dir holds a regular file stem.EXT for one of the extensions
 * images_ext gives (an image stored by an earlier run); its name is
 * appended to name.  Symlinks do not count. */
bool images_stored(const char *dir, const char *stem, struct buf *name);

/* Appends the expansion of an images_dir (url false) or images_url (url
 * true) template for the article in c.  The template's own text is the
 * operator's and is kept; each '/'-separated segment holding a placeholder
 * comes from the page, so it is made one path component: '/' in it becomes
 * '-', and a segment that comes out empty, "." or ".." is refused
 * (NM_ETEMPLATE), so a title cannot lead outside the folder.  With url,
 * the result is percent-encoded by images_url_encode.  NM_ETEMPLATE also
 * for template syntax errors. */
enum nm_code images_expand(const char *tmpl, bool url, const struct tmpl_ctx *c,
			   struct buf *out, struct nm_err *e);

/* Appends s with every byte that Markdown or an HTML attribute would read
 * specially, and every byte outside printable ASCII, percent-encoded
 * (space ( ) < > " ' & | \ and controls; '%' is kept, so an escape the
 * operator wrote stays one). */
void images_url_encode(const char *s, struct buf *out);

#endif
