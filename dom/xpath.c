/*
 * xpath.c - compiled XPath 1.0 expressions over libxml2's engine.
 *
 * Errors are taken from the XPath context's lastError (code and byte
 * offset) through a structured-error callback, so libxml2 never prints.
 * The compile step also evaluates the expression once on a one-element
 * document, which surfaces the errors libxml2 defers to evaluation time.
 */
#include "dom/xpath.h"
#include "common/mem.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLtree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

/* Longest expression quoted back in an error message. */
#define XPATH_QUOTE_MAX 120
/* libxml2 operation budget for one evaluation: about a second of work; an
 * expression that needs more on one page (quadratic predicates on a huge
 * page) fails with a clear error instead of stalling a crawl. */
#define XPATH_OP_LIMIT 50000000UL

struct xpath {
	xmlXPathCompExprPtr comp;
	char *src;
};

static const char *message(int code)
{
	switch (code) {
	case XPATH_NUMBER_ERROR: return "invalid number";
	case XPATH_UNFINISHED_LITERAL_ERROR: return "unterminated string literal";
	case XPATH_START_LITERAL_ERROR: return "expected a string literal";
	case XPATH_VARIABLE_REF_ERROR: return "expected a variable name after '$'";
	case XPATH_UNDEF_VARIABLE_ERROR: return "undefined variable (rules have none)";
	case XPATH_INVALID_PREDICATE_ERROR: return "invalid predicate (expected an expression and ']')";
	case XPATH_EXPR_ERROR: return "invalid expression";
	case XPATH_UNCLOSED_ERROR: return "missing ')' or ']'";
	case XPATH_UNKNOWN_FUNC_ERROR: return "unknown function (XPath 1.0 has no such function)";
	case XPATH_INVALID_OPERAND: return "invalid operand";
	case XPATH_INVALID_TYPE: return "wrong argument type (a node set was expected)";
	case XPATH_INVALID_ARITY: return "wrong number of arguments";
	case XPATH_INVALID_CTXT_SIZE: return "invalid context size";
	case XPATH_INVALID_CTXT_POSITION: return "invalid context position";
	case XPATH_MEMORY_ERROR: return "out of memory";
	case XPATH_UNDEF_PREFIX_ERROR: return "undefined namespace prefix (HTML pages have none)";
	case XPATH_ENCODING_ERROR: return "invalid UTF-8";
	case XPATH_INVALID_CHAR_ERROR: return "invalid character";
	case XPATH_INVALID_CTXT: return "invalid context";
	case XPATH_STACK_ERROR: return "expression too complex (stack)";
	case XPATH_FORBID_VARIABLE_ERROR: return "variables are not allowed";
	case XPATH_OP_LIMIT_EXCEEDED: return "expression too costly on this page";
	case XPATH_RECURSION_LIMIT_EXCEEDED: return "expression nested too deeply";
	default: return "invalid expression";
	}
}

static void quiet(void *data, xmlErrorPtr err)
{
	(void)data;
	(void)err;
}

/* libxml2 also reports some evaluation errors through the generic handler
 * (a per-thread global); it is silenced around our calls and restored. */
static void quiet_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

struct saved_handler {
	xmlGenericErrorFunc fn;
	void *ctx;
};

static struct saved_handler silence(void)
{
	struct saved_handler h = {xmlGenericError, xmlGenericErrorContext};
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	return h;
}

static void restore(struct saved_handler h)
{
	xmlSetGenericErrorFunc(h.ctx, h.fn);
}

static unsigned column_of(const char *s, size_t off)
{
	unsigned col = 1;
	for (size_t i = 0; i < off && s[i]; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			col++;
	return col;
}

static enum nm_code fail(struct nm_err *e, const char *src, size_t off, const char *what)
{
	size_t len = strlen(src);
	int qn = (int)(len > XPATH_QUOTE_MAX ? XPATH_QUOTE_MAX : len);
	while (qn > 0 && (size_t)qn < len && ((unsigned char)src[qn] & 0xC0) == 0x80)
		qn--;
	unsigned col = column_of(src, off);
	err_set(e, NM_ESELECTOR, "xpath '%.*s%s' column %u: %s", qn, src,
		(size_t)qn < len ? "..." : "", col, what);
	if (e)
		e->col = col;
	return NM_ESELECTOR;
}

/* The error recorded in ctx, as an nm_err against src. */
static enum nm_code ctx_fail(struct nm_err *e, const char *src, xmlXPathContextPtr ctx)
{
	int code = ctx->lastError.code - XML_XPATH_EXPRESSION_OK + XPATH_EXPRESSION_OK;
	size_t off = ctx->lastError.int1 > 0 ? (size_t)ctx->lastError.int1 : 0;
	/* runtime errors carry no useful offset */
	if (!ctx->lastError.str1)
		off = 0;
	return fail(e, src, off, message(code));
}

static xmlXPathContextPtr new_ctx(xmlDocPtr doc)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	if (!ctx)
		abort(); /* out of memory, like mem.h */
	ctx->error = quiet;
	ctx->opLimit = XPATH_OP_LIMIT;
	return ctx;
}

static enum nm_code run(const struct xpath *x, xmlNodePtr node, xmlXPathObjectPtr *res,
			struct nm_err *e)
{
	xmlDocPtr doc = node->type == XML_DOCUMENT_NODE || node->type == XML_HTML_DOCUMENT_NODE
				? (xmlDocPtr)node
				: node->doc;
	xmlXPathContextPtr ctx = new_ctx(doc);
	ctx->node = node;
	struct saved_handler h = silence();
	*res = xmlXPathCompiledEval(x->comp, ctx);
	restore(h);
	enum nm_code rc = NM_OK;
	if (!*res || ctx->lastError.code != XML_ERR_OK) {
		rc = ctx_fail(e, x->src, ctx);
		xmlXPathFreeObject(*res);
		*res = NULL;
	}
	xmlXPathFreeContext(ctx);
	return rc;
}

enum nm_code xpath_compile(const char *src, struct xpath **out, struct nm_err *e)
{
	*out = NULL;
	if (!src)
		src = "";
	size_t len = strlen(src);
	if (len > XPATH_MAX_LEN) {
		char cut[XPATH_QUOTE_MAX + 1];
		memcpy(cut, src, XPATH_QUOTE_MAX);
		cut[XPATH_QUOTE_MAX] = '\0';
		err_set(e, NM_ESELECTOR, "xpath '%s...' is longer than %d bytes", cut, XPATH_MAX_LEN);
		return NM_ESELECTOR;
	}
	if (!len || strspn(src, " \t\r\n") == len)
		return fail(e, src, len, "expected an expression");
	/* bound nesting before libxml2's recursive compiler sees it */
	int depth = 0;
	char quote = 0;
	for (size_t i = 0; i < len; i++) {
		char c = src[i];
		if (quote) {
			if (c == quote)
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == '(' || c == '[') {
			if (++depth > XPATH_MAX_NESTING)
				return fail(e, src, i, "nesting deeper than 64 brackets");
		} else if (c == ')' || c == ']') {
			depth--;
		}
	}

	xmlXPathContextPtr cctx = new_ctx(NULL);
	struct saved_handler h = silence();
	xmlXPathCompExprPtr comp = xmlXPathCtxtCompile(cctx, (const xmlChar *)src);
	restore(h);
	if (!comp) {
		enum nm_code rc = ctx_fail(e, src, cctx);
		if (!cctx->lastError.str1)
			rc = fail(e, src, len, "invalid expression");
		xmlXPathFreeContext(cctx);
		return rc;
	}
	xmlXPathFreeContext(cctx);

	struct xpath *x = xcalloc(1, sizeof *x);
	x->comp = comp;
	x->src = xstrdup(src);

	/* Trial run on <html/>: unknown functions, variables and type errors. */
	xmlDocPtr doc = htmlNewDocNoDtD(NULL, NULL);
	xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "html", NULL);
	xmlDocSetRootElement(doc, root);
	xmlXPathObjectPtr res = NULL;
	enum nm_code rc = run(x, (xmlNodePtr)doc, &res, e);
	xmlXPathFreeObject(res);
	xmlFreeDoc(doc);
	if (rc != NM_OK) {
		xpath_free(x);
		return rc;
	}
	*out = x;
	return NM_OK;
}

void xpath_free(struct xpath *x)
{
	if (!x)
		return;
	xmlXPathFreeCompExpr(x->comp);
	free(x->src);
	free(x);
}

const char *xpath_source(const struct xpath *x)
{
	return x->src;
}

void xpath_result_free(struct xpath_result *r)
{
	if (!r)
		return;
	free(r->nodes);
	free(r->str);
	memset(r, 0, sizeof *r);
}

enum nm_code xpath_eval(const struct xpath *x, xmlNodePtr ctx, struct xpath_result *r,
			struct nm_err *e)
{
	memset(r, 0, sizeof *r);
	xmlXPathObjectPtr res = NULL;
	enum nm_code rc = run(x, ctx, &res, e);
	if (rc != NM_OK)
		return rc;
	if (res->type == XPATH_NODESET) {
		r->kind = XPATH_R_NODES;
		xmlNodeSetPtr ns = res->nodesetval;
		int nn = ns ? ns->nodeNr : 0;
		if (nn > 0)
			r->nodes = xmalloc((size_t)nn * sizeof *r->nodes);
		for (int i = 0; i < nn; i++) {
			xmlNodePtr n = ns->nodeTab[i];
			if (n->type == XML_NAMESPACE_DECL)
				continue; /* not an xmlNode; HTML pages have none of their own */
			r->nodes[r->n++] = n;
		}
	} else {
		r->kind = XPATH_R_STRING;
		xmlChar *s = xmlXPathCastToString(res);
		r->str = xstrdup(s ? (const char *)s : "");
		xmlFree(s);
	}
	xmlXPathFreeObject(res);
	return NM_OK;
}

enum nm_code xpath_eval_nodes(const struct xpath *x, xmlNodePtr ctx, xmlNodePtr **out,
			      size_t *n, struct nm_err *e)
{
	*out = NULL;
	*n = 0;
	struct xpath_result r;
	enum nm_code rc = xpath_eval(x, ctx, &r, e);
	if (rc != NM_OK)
		return rc;
	if (r.kind != XPATH_R_NODES) {
		xpath_result_free(&r);
		return fail(e, x->src, 0, "returns a string or number, not nodes");
	}
	*out = r.nodes;
	*n = r.n;
	return NM_OK;
}

enum nm_code xpath_eval_string(const struct xpath *x, xmlNodePtr ctx, char **out,
			       struct nm_err *e)
{
	*out = NULL;
	xmlXPathObjectPtr res = NULL;
	enum nm_code rc = run(x, ctx, &res, e);
	if (rc != NM_OK)
		return rc;
	xmlChar *s = xmlXPathCastToString(res);
	*out = xstrdup(s ? (const char *)s : "");
	xmlFree(s);
	xmlXPathFreeObject(res);
	return NM_OK;
}
