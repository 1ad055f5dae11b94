#include "tests/unit/unit.h"
#include "rules/yaml.h"
#include "common/buf.h"

static enum nm_code parse(const char *s, struct ydoc **d, struct nm_err *e)
{
	err_clear(e);
	return ydoc_parse(s, strlen(s), "t.yml", d, e);
}

TEST(yaml_tree_with_positions_and_aliases)
{
	struct ydoc *d;
	struct nm_err e;
	CHECK_INT(parse("a: &x [1, 2]\nb:\n  c: 'yes'\nd: *x\n", &d, &e), NM_OK);
	struct ynode *a = ymap_get(d->root, "a"), *dd = ymap_get(d->root, "d");
	CHECK(a && a->type == Y_SEQ && a->n == 2);
	CHECK(a == dd);
	struct ynode *c = ymap_get(ymap_get(d->root, "b"), "c");
	CHECK_STR(c->str, "yes");
	CHECK(!c->plain);
	CHECK_INT(c->line, 3);
	CHECK_INT(c->col, 6);
	ydoc_free(d);
}

TEST(yaml_errors_have_line_and_column)
{
	struct ydoc *d = NULL;
	struct nm_err e;
	CHECK_INT(parse("a: 1\nb: [1, 2\n", &d, &e), NM_ECONFIG);
	CHECK_STR(e.where, "t.yml");
	CHECK(e.line >= 2);
	CHECK(strstr(e.msg, "YAML syntax error") != NULL);
	CHECK_INT(parse("a: 1\na: 2\n", &d, &e), NM_ECONFIG);
	CHECK_INT(e.line, 2);
	CHECK_INT(e.col, 1);
	CHECK(strstr(e.msg, "duplicate key 'a'") != NULL);
	CHECK_INT(parse("a: *nope\n", &d, &e), NM_ECONFIG);
}

TEST(yaml_alias_bomb_and_depth_refused)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 10; i++) {
		buf_printf(&b, "a%d: &a%d [", i, i);
		for (int j = 0; j < 10; j++)
			buf_printf(&b, "%s*a%d", j ? ", " : "", i - 1);
		buf_puts(&b, "]\n");
	}
	struct ydoc *d = NULL;
	struct nm_err e;
	CHECK_INT(parse(buf_cstr(&b), &d, &e), NM_ECONFIG);
	CHECK(strstr(e.msg, "alias bomb") != NULL);
	buf_clear(&b);
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, '[');
	CHECK_INT(parse(buf_cstr(&b), &d, &e), NM_ECONFIG);
	CHECK(strstr(e.msg, "nesting deeper") != NULL);
	buf_free(&b);
}
