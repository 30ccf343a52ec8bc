"""The bank as pages: Home (search, filters, reviews due) and one page per question."""
