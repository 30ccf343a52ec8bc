"""What every page shares: the language and its words, the cached bank, links between pages."""
