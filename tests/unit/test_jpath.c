/*
 * test_jpath.c - dom/jpath.c: the one JSON sniff and the depth-bounded
 * reader (paths themselves are covered through rules in test_extract.c).
 */
#include "tests/unit/unit.h"
#include "dom/jpath.h"
#include "common/buf.h"

TEST(jpath_sniff_bom_space_and_type)
{
	CHECK(jpath_sniff(NULL, "{\"a\":1}", 7));
	CHECK(jpath_sniff(NULL, " \r\n\t[1]", 7));
	/* a UTF-8 BOM before the value: both old sniffs disagreed here */
	CHECK(jpath_sniff(NULL, "\xEF\xBB\xBF{\"a\":1}", 10));
	CHECK(jpath_sniff(NULL, "\xEF\xBB\xBF \n[]", 7));
	CHECK(jpath_sniff("application/ld+json; charset=utf-8", "<html>", 6));
	CHECK(!jpath_sniff("text/html", "<html>{", 7));
	CHECK(!jpath_sniff(NULL, "", 0));
	CHECK(!jpath_sniff(NULL, "\xEF\xBB", 2));
	CHECK(!jpath_sniff(NULL, "   ", 3));
}

TEST(jpath_parse_bounds_depth)
{
	struct buf deep = BUF_INIT;
	for (int i = 0; i < JPATH_MAX_DEPTH + 8; i++)
		buf_putc(&deep, '[');
	for (int i = 0; i < JPATH_MAX_DEPTH + 8; i++)
		buf_putc(&deep, ']');
	struct nm_err e;
	err_clear(&e);
	json_t *j = jpath_parse(deep.ptr, deep.len, &e);
	CHECK(j == NULL);
	CHECK(e.code != NM_OK);
	json_decref(j);
	buf_free(&deep);
	err_clear(&e);
	j = jpath_parse("{\"a\":[1,2]}", 11, &e);
	CHECK(j != NULL && json_is_object(j));
	json_decref(j);
}
