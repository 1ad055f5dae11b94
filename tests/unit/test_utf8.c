#include "tests/unit/unit.h"
#include "common/utf8.h"

TEST(utf8_is_space_white_space_property)
{
	/* Unicode White_Space, all 25 code points */
	static const uint32_t ws[] = {0x09,   0x0a,   0x0b,   0x0c,   0x0d,   0x20,   0x85,
				      0xa0,   0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
				      0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028,
				      0x2029, 0x202f, 0x205f, 0x3000};
	for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++)
		if (!utf8_is_space(ws[i]))
			unit_fail(__FILE__, __LINE__, "U+%04X should be space", (unsigned)ws[i]);
	/* plus the invisible ZERO WIDTH SPACE and BOM */
	CHECK(utf8_is_space(0x200b));
	CHECK(utf8_is_space(0xfeff));
}

TEST(utf8_is_space_not_joiners_or_text)
{
	/* the joiners shape letters and stay part of the word */
	CHECK(!utf8_is_space(0x200c));
	CHECK(!utf8_is_space(0x200d));
	static const uint32_t no[] = {0,      0x08,   0x0e,   0x1f,   'a',    0x7f,   0x84,
				      0x86,   0x9f,   0xad,   0x1fff, 0x200e, 0x200f, 0x2027,
				      0x202a, 0x2060, 0x3001, 0xfefe, 0xff00, 0xfffd, 0x10ffff};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (utf8_is_space(no[i]))
			unit_fail(__FILE__, __LINE__, "U+%04X should not be space", (unsigned)no[i]);
}
