/*
 * jpath.c - compile and evaluate JSON paths (breadth by step: the set of
 * current values is replaced by the set reached through the next step).
 */
#include "dom/jpath.h"
#include "common/mem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum jstep_kind { J_KEY, J_INDEX, J_ALL };

struct jstep {
	enum jstep_kind kind;
	char *key;
	long index;
};

struct jpath {
	struct jstep steps[JPATH_MAX_STEPS];
	size_t n;
};

static enum nm_code bad(struct nm_err *e, const char *src, const char *p, const char *what)
{
	unsigned col = (unsigned)(p - src) + 1;
	if (e)
		e->col = col;
	return err_set(e, NM_ESELECTOR, "json path '%s' column %u: %s", src, col, what);
}

enum nm_code jpath_compile(const char *src, struct jpath **out, struct nm_err *e)
{
	struct jpath *jp = xcalloc(1, sizeof *jp);
	const char *p = src;
	enum nm_code rc = NM_OK;
	if (*p == '$')
		p++;
	if (*p == '.')
		p++;
	while (*p) {
		if (jp->n >= JPATH_MAX_STEPS) {
			rc = bad(e, src, p, "more than 32 steps");
			goto fail;
		}
		struct jstep *s = &jp->steps[jp->n];
		if (*p == '[') {
			p++;
			if (*p == '*' && p[1] == ']') {
				s->kind = J_ALL;
				p += 2;
			} else if (*p == '\'' || *p == '"') {
				char q = *p++;
				const char *k = p;
				while (*p && *p != q)
					p++;
				if (*p != q || p[1] != ']') {
					rc = bad(e, src, p, "expected a closing quote and ']'");
					goto fail;
				}
				s->kind = J_KEY;
				s->key = xstrndup(k, (size_t)(p - k));
				p += 2;
			} else {
				char *end;
				long v = strtol(p, &end, 10);
				if (end == p || *end != ']') {
					rc = bad(e, src, p, "expected an index, '*' or a quoted key");
					goto fail;
				}
				s->kind = J_INDEX;
				s->index = v;
				p = end + 1;
			}
		} else if (*p == '*') {
			s->kind = J_ALL;
			p++;
		} else {
			const char *k = p;
			while (*p && *p != '.' && *p != '[')
				p++;
			if (p == k) {
				rc = bad(e, src, p, "expected a key");
				goto fail;
			}
			s->kind = J_KEY;
			s->key = xstrndup(k, (size_t)(p - k));
		}
		jp->n++;
		if (*p == '.') {
			p++;
			if (!*p) {
				rc = bad(e, src, p, "expected a key after '.'");
				goto fail;
			}
		} else if (*p && *p != '[') {
			rc = bad(e, src, p, "expected '.' or '['");
			goto fail;
		}
	}
	*out = jp;
	return NM_OK;
fail:
	jpath_free(jp);
	return rc;
}

void jpath_free(struct jpath *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->steps[i].key);
	free(p);
}

struct vec {
	json_t **v;
	size_t n, cap;
};

static void push(struct vec *v, json_t *x)
{
	if (v->n >= JPATH_MAX_RESULTS)
		return;
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = xrealloc(v->v, v->cap * sizeof *v->v);
	}
	v->v[v->n++] = x;
}

size_t jpath_eval(const struct jpath *p, json_t *root, json_t ***out)
{
	struct vec cur = {0}, next = {0};
	if (root)
		push(&cur, root);
	for (size_t i = 0; i < p->n && cur.n; i++) {
		const struct jstep *s = &p->steps[i];
		next.n = 0;
		for (size_t j = 0; j < cur.n; j++) {
			json_t *x = cur.v[j], *y;
			switch (s->kind) {
			case J_KEY:
				if ((y = json_object_get(x, s->key)))
					push(&next, y);
				break;
			case J_INDEX:
				if (json_is_array(x)) {
					long n = (long)json_array_size(x);
					long k = s->index < 0 ? n + s->index : s->index;
					if (k >= 0 && k < n)
						push(&next, json_array_get(x, (size_t)k));
				}
				break;
			case J_ALL:
				if (json_is_array(x)) {
					for (size_t k = 0; k < json_array_size(x); k++)
						push(&next, json_array_get(x, k));
				} else if (json_is_object(x)) {
					const char *key;
					json_t *val;
					json_object_foreach(x, key, val) push(&next, val);
				}
				break;
			}
		}
		struct vec t = cur;
		cur = next;
		next = t;
	}
	free(next.v);
	*out = cur.v;
	return cur.n;
}

int jpath_scalar_text(const json_t *v, struct buf *out)
{
	if (json_is_string(v))
		return buf_put(out, json_string_value(v), json_string_length(v));
	if (json_is_integer(v))
		return buf_printf(out, "%lld", (long long)json_integer_value(v));
	if (json_is_real(v)) {
		char *s = json_dumps(v, JSON_ENCODE_ANY);
		int r = buf_puts(out, s ? s : "");
		free(s);
		return r;
	}
	if (json_is_true(v))
		return buf_puts(out, "true");
	if (json_is_false(v))
		return buf_puts(out, "false");
	return -1;
}

/* One pass over JSON text, strings skipped: the deepest nesting of s[0..n),
 * or with stop set, of the value starting at s[0] only, whose end goes to
 * *end (n when it never closes). */
static size_t json_scan(const char *s, size_t n, bool stop, size_t *end)
{
	size_t depth = 0, maxd = 0;
	bool str = false;
	if (end)
		*end = n;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				str = false;
		} else if (c == '"') {
			str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > maxd)
				maxd = depth;
		} else if ((c == ']' || c == '}') && depth && --depth == 0 && stop) {
			if (end)
				*end = i + 1;
			break;
		}
	}
	return maxd;
}

json_t *jpath_parse(const char *s, size_t n, struct nm_err *e)
{
	/* jansson recurses per nesting level; measure depth first. */
	size_t maxd = json_scan(s, n, false, NULL);
	if (maxd > JPATH_MAX_DEPTH) {
		err_set(e, NM_ELIMIT, "JSON nested deeper than %d levels; refused", JPATH_MAX_DEPTH);
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!j) {
		if (e) {
			e->line = (unsigned)(je.line > 0 ? je.line : 0);
			e->col = (unsigned)(je.column > 0 ? je.column : 0);
		}
		err_set(e, NM_EPARSE, "invalid JSON: %s", je.text);
	}
	return j;
}

json_t *jpath_parse_embedded(const char *s, size_t n, struct nm_err *e)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	if (i < n && s[i] != '{' && s[i] != '[') {
		/* an assignment: the value starts after the first '=' */
		const char *eq = memchr(s + i, '=', n - i);
		if (!eq)
			return err_set(e, NM_EPARSE, "no JSON object or array in the script"), NULL;
		i = (size_t)(eq - s) + 1;
		while (i < n && s[i] != '{' && s[i] != '[' && (s[i] == ' ' || s[i] == '\t' ||
								s[i] == '\n' || s[i] == '\r'))
			i++;
	}
	if (i >= n || (s[i] != '{' && s[i] != '['))
		return err_set(e, NM_EPARSE, "no JSON object or array in the script"), NULL;
	/* the value ends where its brackets balance (strings skipped) */
	size_t end;
	json_scan(s + i, n - i, true, &end);
	end += i;
	return jpath_parse(s + i, end - i, e);
}

bool jpath_sniff(const char *ctype, const char *s, size_t n)
{
	if (ctype && strstr(ctype, "json"))
		return true;
	size_t i = 0;
	if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < n && strchr(" \t\r\n", s[i]))
		i++;
	return i < n && (s[i] == '{' || s[i] == '[');
}
